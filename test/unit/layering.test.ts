import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

describe('layering', () => {
  it('src/core and src/server import nothing from vscode', () => {
    const root = path.resolve(__dirname, '../../../src');
    const offenders: string[] = [];
    const walk = (d: string) => {
      for (const f of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, f.name);
        if (f.isDirectory()) walk(p);
        else if (
          p.endsWith('.ts') &&
          /(from\s+['"]vscode['"]|require\(['"]vscode['"]\))/.test(fs.readFileSync(p, 'utf8'))
        )
          offenders.push(p);
      }
    };
    walk(path.join(root, 'core'));
    walk(path.join(root, 'server'));
    assert.deepEqual(offenders, []);
    assert.ok(fs.existsSync(path.join(root, 'core', 'session', 'region.ts')), 'scanned the real tree');
  });
});
