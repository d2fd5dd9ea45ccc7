/**
 * Fast or deep? Rules a user can read (README) and override (`/deep`, `/fast`, the Deep Edit command,
 * settings). Every decision carries its reasons, which are logged.
 */
export type Mode = 'fast' | 'deep';
export type CommandKind = 'edit' | 'fix' | 'explain' | 'tests' | 'refactor';

export interface RouteInput {
  instruction: string;
  /** The Deep Edit command, or the user's model picker. */
  explicit?: Mode;
  selectionLines: number;
  contextChars: number;
  command?: CommandKind;
  /** Workspace files the instruction names, besides the current one. */
  mentionedFiles?: number;
  /** The fast path would answer with targeted blocks: a large selection costs what the change costs, so its size is no reason for deep. */
  targeted?: boolean;
}

export interface RouteRules {
  enabled: boolean;
  deepSelectionLines: number;
  deepContextChars: number;
}

export const DEFAULT_RULES: RouteRules = { enabled: true, deepSelectionLines: 400, deepContextChars: 120_000 };

export interface Route {
  mode: Mode;
  reasons: string[];
  instruction: string;
}

const PROJECT_WIDE =
  /\b(all (the )?files|every file|whole (project|codebase|repo(sitory)?)|entire (project|codebase|repo(sitory)?)|across (the )?(project|codebase|files|modules)|(multiple|several|other) files)\b/i;

export function route(i: RouteInput, rules: RouteRules = DEFAULT_RULES): Route {
  let instruction = i.instruction.trim();
  const prefix = /^\/(deep|fast)\b\s*/i.exec(instruction);
  if (prefix) {
    instruction = instruction.slice(prefix[0].length);
    return { mode: prefix[1].toLowerCase() as Mode, reasons: [`"/${prefix[1].toLowerCase()}" prefix`], instruction };
  }
  if (i.explicit)
    return {
      mode: i.explicit,
      reasons: [i.explicit === 'deep' ? 'Deep Edit was chosen' : 'fast model was chosen'],
      instruction,
    };
  if (!rules.enabled) return { mode: 'fast', reasons: ['deep mode is off (sparkEdit.deep.enabled)'], instruction };
  const reasons: string[] = [];
  if (i.selectionLines > rules.deepSelectionLines && !i.targeted)
    reasons.push(
      `selection of ${i.selectionLines} lines > ${rules.deepSelectionLines} (sparkEdit.deep.selectionLines)`,
    );
  if (i.contextChars > rules.deepContextChars)
    reasons.push(`context of ${i.contextChars} chars > ${rules.deepContextChars}`);
  if ((i.mentionedFiles ?? 0) >= 1)
    reasons.push(`names ${i.mentionedFiles} other file${i.mentionedFiles === 1 ? '' : 's'}`);
  if (PROJECT_WIDE.test(instruction)) reasons.push('asks for project-wide changes');
  if (i.command === 'tests') reasons.push('"Add Tests" writes a second file');
  if (reasons.length) return { mode: 'deep', reasons, instruction };
  return { mode: 'fast', reasons: ['one selection of modest size'], instruction };
}
