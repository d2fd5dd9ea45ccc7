import { ContentPolicy } from '../policy';

/**
 * What a model answer may write. Every path in a deep-mode patch is untrusted input: it is checked here (pure,
 * no file system) before the adapter resolves it, and the adapter checks the resolved real path again.
 */

/** Folders no model answer may write into, at any depth (compared case-insensitively): version control data and
 *  editor/IDE configuration, which can run commands (git hooks, `core.fsmonitor`, tasks, launch configs). */
export const PROTECTED_DIRS = [
  '.git',
  '.hg',
  '.svn',
  '.jj',
  '.vscode',
  '.idea',
  '.vs',
  '.fleet',
  '.zed',
  '.devcontainer',
  '.theia',
  '.cursor',
];
/** Single files no model answer may write (case-insensitive, at any depth). */
export const PROTECTED_FILES = ['.gitmodules', '.gitconfig', '.npmrc', '.yarnrc', '.yarnrc.yml', '.envrc'];
const PROTECTED_FILE_SUFFIXES = ['.code-workspace'];

export const MAX_PATH_CHARS = 1024;

export type PathVerdict = { ok: true; path: string } | { ok: false; reason: string };

const refuse = (raw: string, why: string): PathVerdict => ({
  ok: false,
  reason: `${JSON.stringify(raw.length > 120 ? raw.slice(0, 117) + '…' : raw)}: ${why}`,
});

/**
 * May a model answer write to this workspace-relative path? Returns the normalised path (forward slashes, no `.`
 * segments) or why not. Refuses rather than repairs anything odd: absolute paths, drive letters, UNC paths, `..`,
 * backslashes, percent-encoding, control characters (NUL), invisible Unicode, Windows-special names and trailing
 * dots/spaces (Windows strips them, so `.git.` is `.git`), 8.3 short names (`GIT~1`), protected folders and files,
 * and the ignore list.
 */
export function checkWritePath(raw: string, ignore: ContentPolicy): PathVerdict {
  if (typeof raw !== 'string' || raw.length === 0) return refuse(String(raw), 'an empty path');
  if (raw.length > MAX_PATH_CHARS) return refuse(raw, `the path is longer than ${MAX_PATH_CHARS} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return refuse(raw, 'the path contains control characters');
  if (/\p{Default_Ignorable_Code_Point}|[\u2028\u2029\ufeff]/u.test(raw))
    return refuse(raw, 'the path contains invisible characters');
  if (raw.includes('\\')) return refuse(raw, 'backslashes are not allowed in a path');
  if (/%[0-9a-f]{2}/i.test(raw)) return refuse(raw, 'percent-encoded paths are not allowed');
  if (raw.includes(':'))
    return refuse(raw, 'the path contains ":" (a drive letter, a URL or an alternate data stream)');
  if (raw.startsWith('/')) return refuse(raw, 'absolute paths are not allowed');
  if (raw.startsWith('~')) return refuse(raw, 'home-relative paths are not allowed');
  const nfc = raw.normalize('NFC');
  const segs: string[] = [];
  for (const s of nfc.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') return refuse(raw, 'the path leaves the workspace ("..")');
    if (/[. ]$/.test(s)) return refuse(raw, 'a path segment ends with a dot or a space');
    if (/~\d/.test(s)) return refuse(raw, 'a path segment looks like a Windows short name (~1)');
    if (/[<>"|?*]/.test(s)) return refuse(raw, 'the path contains a character Windows does not allow');
    if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s)) return refuse(raw, 'the path names a Windows device');
    segs.push(s);
  }
  if (!segs.length) return refuse(raw, 'the path names no file');
  const lower = segs.map((s) => s.toLowerCase());
  const dir =
    lower.slice(0, -1).find((s) => PROTECTED_DIRS.includes(s)) ??
    (PROTECTED_DIRS.includes(lower[lower.length - 1]) ? lower[lower.length - 1] : undefined);
  if (dir)
    return refuse(
      raw,
      `files in ${dir}/ are never written by a model (version control and editor settings can run commands)`,
    );
  const name = lower[lower.length - 1];
  if (PROTECTED_FILES.includes(name) || PROTECTED_FILE_SUFFIXES.some((x) => name.endsWith(x)))
    return refuse(raw, `${segs[segs.length - 1]} is never written by a model`);
  const path = segs.join('/');
  if (ignore.ignored(path)) return refuse(raw, 'the file matches "sparkEdit.ignoredFiles"');
  return { ok: true, path };
}

/** How much one deep answer may change. */
export interface DeepLimits {
  maxFiles: number;
  maxChangedChars: number;
  maxAnswerChars: number;
}
export const DEFAULT_DEEP_LIMITS: DeepLimits = { maxFiles: 20, maxChangedChars: 1_000_000, maxAnswerChars: 4_000_000 };

/**
 * Counts what one answer touches; says, once, when a limit is passed. Ops past the limit are not applied
 * (what landed before stays pending for review).
 */
export class DeepBudget {
  private readonly files = new Set<string>();
  private chars = 0;
  exceeded: string | undefined;
  constructor(readonly limits: DeepLimits = DEFAULT_DEEP_LIMITS) {}

  /** May an op on `path` that writes `newChars` characters land? */
  admit(path: string, newChars: number): boolean {
    if (this.exceeded) return false;
    if (!this.files.has(path) && this.files.size >= this.limits.maxFiles) {
      this.exceeded = `the answer changes more than ${this.limits.maxFiles} files`;
      return false;
    }
    if (this.chars + newChars > this.limits.maxChangedChars) {
      this.exceeded = `the answer changes more than ${this.limits.maxChangedChars >= 1e6 ? `${Math.round(this.limits.maxChangedChars / 1e5) / 10} MB` : `${Math.max(1, Math.round(this.limits.maxChangedChars / 1000))} KB`}`;
      return false;
    }
    this.files.add(path);
    this.chars += newChars;
    return true;
  }
}
