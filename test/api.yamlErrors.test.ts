// YAML syntax errors as the user sees them: file:line:col at the line to fix (not where the parser
// noticed), that line with a caret, and a hint for the usual mistakes.
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifests } from '../src/api/manifest.js';

function error(text: string): ManifestError {
  try {
    parseManifests(text, 'pod.yaml');
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('no error');
}

const POD_HEAD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n';

describe('YAML errors: a pasted shell line', () => {
  it('names the heredoc and what to paste', () => {
    const e = error(`kubectl apply -f - <<EOF\n${POD_HEAD}EOF\n`);
    expect(e.message).toBe(
      [
        'pod.yaml:1:1: Implicit keys need to be on a single line',
        '  1 | kubectl apply -f - <<EOF',
        '    | ^',
        '  hint: this looks like a shell command; paste only the YAML between `<<EOF` and `EOF`',
      ].join('\n'),
    );
    expect([e.line, e.column]).toEqual([1, 1]);
  });

  it('uses the heredoc word the user wrote, quoted or not, with or without a prompt', () => {
    expect(error(`cat <<'YAML' | kubectl apply -f -\n${POD_HEAD}`).hint).toBe('this looks like a shell command; paste only the YAML between `<<YAML` and `YAML`');
    expect(error(`$ kubectl create -f - <<EOF\n${POD_HEAD}`).hint).toMatch(/between `<<EOF` and `EOF`/);
  });

  it('recognises a command without a heredoc', () => {
    expect(error(`kubectl apply -f pod.yaml\n${POD_HEAD}`).hint).toBe('this looks like a shell command; paste only the YAML it applies');
  });

  it('recognises the heredoc end left at the bottom', () => {
    const e = error(`${POD_HEAD}EOF\n`);
    expect([e.line, e.column]).toEqual([5, 1]);
    expect(e.hint).toBe('this looks like the end of a shell here-document: leave out the `EOF` line');
  });
});

describe('YAML errors: tabs', () => {
  it('points at the tab, shows it, and says to indent with spaces', () => {
    const e = error('apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n');
    expect(e.message).toBe(
      ['pod.yaml:4:1: Tabs are not allowed as indentation', '  3 | metadata:', '  4 | →name: web', '    | ^', '  hint: YAML does not allow tabs for indentation: indent with spaces'].join('\n'),
    );
  });

  it('finds a tab after spaces', () => {
    const e = error('spec:\n  containers:\n  - name: a\n  \timage: busybox\n');
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.hint).toMatch(/^YAML does not allow tabs for indentation/);
  });
});

describe('YAML errors: lost indentation', () => {
  it('a line indented under a key that already has a value: reported on that line, not the one above', () => {
    // The parser stops on `busybox` (line 8); the line to fix is 9.
    const e = error(`${POD_HEAD}spec:\n  containers:\n  - name: a\n    image: busybox\n      command: [sh]\n`);
    expect(e.message).toBe(
      [
        'pod.yaml:9:7: Nested mappings are not allowed in compact mappings',
        '  8 |     image: busybox',
        '  9 |       command: [sh]',
        '    |       ^',
        '  hint: this line is indented more than the line above (column 7, not 5), which already has a value: line it up, or check the indentation of the line above',
      ].join('\n'),
    );
  });

  it('a key that lost its indentation under its parent', () => {
    const e = error('apiVersion: v1\nkind: Pod\nmetadata:\nname: web\n  labels: {app: web}\n');
    expect([e.line, e.column]).toEqual([5, 3]);
    expect(e.hint).toMatch(/check the indentation of the line above$/);
  });

  it('a key of a list item one column short', () => {
    const e = error('spec:\n  containers:\n  - name: a\n   image: busybox\n');
    expect(e.reason).toBe('Sequence item without - indicator');
    expect([e.line, e.column]).toEqual([4, 4]);
    expect(e.hint).toBe(
      'this line starts at column 4, the line above at column 5: keys of one mapping (and items of one list) start at the same column; check the indentation of this line and the line above',
    );
  });

  it('a key dedented out of its mapping: the column is where the text starts, not 1', () => {
    const e = error('spec:\n  containers:\n    - name: a\n      image: busybox\n    command: [sh]\n');
    expect([e.line, e.column]).toEqual([5, 5]);
    expect(e.hint).toMatch(/^this line starts at column 5, the line above at column 7/);
  });

  it('a list item out of line with the one above', () => {
    const e = error('spec:\n  containers:\n  - name: a\n    command:\n    - sh\n   - -c\n');
    expect([e.line, e.column]).toEqual([6, 4]);
    expect(e.hint).toMatch(/^this line starts at column 4, the line above at column 5/);
  });

  it('an error the parser reports on a comment line belongs to the next line', () => {
    const e = error('a: 1\n# the next key\n  b: 2\n');
    expect([e.line, e.column]).toEqual([3, 3]);
    // The excerpt shows the line with YAML above, which the hint compares with.
    expect(e.message.split('\n').slice(1, 3)).toEqual(['  1 | a: 1', '  3 |   b: 2']);
  });
});

describe('YAML errors: other common cases', () => {
  it('a key without a space after its colon', () => {
    const e = error('metadata:\n  name:web\n  labels: {}\n');
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.hint).toBe('a key needs a space after its colon: `name: web`');
  });

  it('an unclosed bracket: reported where it opens, not at the end of the text', () => {
    const e = error(`${POD_HEAD}spec:\n  containers: [{name: a, image: busybox}\n`);
    expect([e.line, e.column]).toEqual([6, 15]);
  });

  it('an unclosed quote: reported where it opens', () => {
    const e = error('a: "abc\nb: 2\n');
    expect(e.reason).toBe('Missing closing "quote');
    expect([e.line, e.column]).toEqual([1, 4]);
  });

  it('no hint where no common case fits', () => {
    const e = error('a: 1\nb: 2\na: 3\n');
    expect(e.message).toBe(['pod.yaml:3:1: Map keys must be unique', '  2 | b: 2', '  3 | a: 3', '    | ^'].join('\n'));
    expect(e.hint).toBeUndefined();
  });

  it('keeps positions right with CRLF line ends', () => {
    const e = error('a: 1\r\nb: "x\r\n');
    expect([e.line, e.column]).toEqual([2, 4]);
    expect(e.message).toContain('  2 | b: "x\n');
  });
});
