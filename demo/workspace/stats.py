# Spark Edit works on Python too: select mean and press Ctrl+I ("add doc comments", "add error handling"), or
# Ctrl+. → "Spark Edit: Fix This" (no red squiggle here: no Python checker; what happens with an empty list?).


def mean(xs):
    total = 0
    for x in xs:
        total += x
    return total / len(xs)


def variance(xs):
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)


def median(xs):
    ordered = sorted(xs)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
