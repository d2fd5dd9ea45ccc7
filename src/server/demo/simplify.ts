/** The demo's Simplify: a summing loop becomes reduce() / sum(). Other code: a plain "can't". */
import { Result, cannot } from './edits';

export function simplify(code: string, lang: Lang): Result {
  let n = 0;
  let out: string;
  if (lang === 'py') {
    // total = 0 / for x in xs: / total += f(x)  →  total = sum(f(x) for x in xs)
    out = code.replace(
      /^([ \t]*)(\w+) = 0\n\1for (\w+) in ([^\n:]+):\n\1[ \t]+\2 \+= ([^\n]+)\n/gm,
      (_m, ind, acc, x, xs, e) => {
        n++;
        return e.trim() === x ? `${ind}${acc} = sum(${xs})\n` : `${ind}${acc} = sum(${e.trim()} for ${x} in ${xs})\n`;
      },
    );
  } else {
    // let sum = 0; for (let i = 0; i < xs.length; i++) { sum += f(xs[i]); }  →  const sum = xs.reduce((acc, item) => acc + f(item), 0);
    out = code.replace(
      /^([ \t]*)(?:var|let) ([\w$]+) = 0;\n\1for \((?:var|let) ([\w$]+) = 0; \3 < ([\w$.]+)\.length; \3\+\+\) \{\n[ \t]+\2 \+= ([^\n;]+);\n\1\}\n/gm,
      (m, ind, acc, i, xs, e) => {
        const item = e.split(`${xs}[${i}]`).join('item');
        if (new RegExp(`\\b${i}\\b`).test(item) || /\bitem\b/.test(e) || acc === 'acc') return m;
        n++;
        return `${ind}const ${acc} = ${xs}.reduce((acc, item) => acc + ${item}, 0);\n`;
      },
    );
    out = out.replace(
      /^([ \t]*)(?:var|let) ([\w$]+) = 0;\n\1for \((?:const|let|var) ([\w$]+) of ([^)]+)\) \{\n[ \t]+\2 \+= ([^\n;]+);\n\1\}\n/gm,
      (m, ind, acc, x, xs, e) => {
        if (acc === 'acc') return m;
        n++;
        return `${ind}const ${acc} = ${xs}.reduce((acc, ${x}) => acc + ${e}, 0);\n`;
      },
    );
  }
  // An accumulator assigned again after the loop stays let.
  out = out.replace(/^([ \t]*)const ([\w$]+) = (.*reduce\(\(acc)/gm, (m, ind, acc, rest) =>
    new RegExp(`(?<![\\w$.])${acc.replace(/\$/g, '\\$')}\\s*([-+*/]?=(?!=)|\\+\\+|--)`).test(out.replace(m, ''))
      ? `${ind}let ${acc} = ${rest}`
      : m,
  );
  if (!n)
    return cannot('The demo model found no summing loop here. It only simplifies those (into reduce() or sum()).');
  return { code: out };
}
import type { Lang } from './scan';
