/**
 * Secrets never reach a log, a notification, the chat view or stored history: every text that came from a server
 * (error bodies, stream error events, answers shown in the chat) goes through `redact` before it is shown or stored.
 */
const MIN_KEY = 8;

export class Redactor {
  private keys: string[] = [];

  /** Keys known to this session (SecretStorage, environment). Short strings are ignored (they would mangle text). */
  setKeys(keys: Iterable<string | undefined>): void {
    const out = new Set<string>();
    for (const k of keys) if (typeof k === 'string' && k.trim().length >= MIN_KEY) out.add(k.trim());
    this.keys = [...out].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    return redact(text, this.keys);
  }
}

/** Replace every known key, `Bearer …` tokens, `sk-…`-shaped keys and URL credentials with a marker. */
export function redact(text: string, keys: readonly string[] = []): string {
  if (typeof text !== 'string' || !text) return text;
  let out = text;
  for (const k of keys) if (k && k.length >= MIN_KEY && out.includes(k)) out = out.split(k).join('[redacted]');
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [redacted]');
  out = out.replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, '$1-[redacted]');
  out = out.replace(/\b(x-api-key|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]{6,}/gi, '$1$2[redacted]');
  out = out.replace(/(\b[a-z][\w+.-]*:\/\/)[^/\s@]*@/gi, '$1');
  return out;
}

/** An endpoint URL without credentials (`https://user:token@host` → `https://host`), for logs and messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}
