import { describe, expect, it } from 'vitest';
import { tableFor, type Table } from '../src/api/printers/tables.js';
import { printName, printTable } from '../src/api/printers/text.js';
import { tabwrite, GET_TABWRITER } from '../src/api/printers/tabwriter.js';
import { NOW, failedPod, webEvents, webPod } from './printers.fixtures.js';

// `kubectl get pods -A -o wide` (kubectl v1.32) against a stub server returning tableFor(...).
const KUBECTL_GET_WIDE = [
  "NAMESPACE   NAME                   READY   STATUS    RESTARTS      AGE   IP          NODE      NOMINATED NODE   READINESS GATES",
  "default     web-7d4b9c8f6d-x2kqp   1/1     Running   2 (25m ago)   65m   10.88.0.4   tinylet   <none>           <none>",
  "batch       job-x                  0/1     Error     0             25h   10.88.0.9   tinylet   <none>           <none>",
].join('\n') + '\n';

describe('printTable', () => {
  const table = tableFor('Pod', [webPod, failedPod], { now: NOW, resourceVersion: '7' });

  it('matches kubectl get -A -o wide', () => {
    expect(printTable(table, { wide: true, withNamespace: true })).toBe(KUBECTL_GET_WIDE);
  });

  it('hides priority-1 columns unless wide', () => {
    expect(printTable(table)).toBe(
      'NAME                   READY   STATUS    RESTARTS      AGE\n' +
        'web-7d4b9c8f6d-x2kqp   1/1     Running   2 (25m ago)   65m\n' +
        'job-x                  0/1     Error     0             25h\n',
    );
  });

  it('--no-headers sizes columns from the rows alone', () => {
    expect(printTable(table, { noHeaders: true })).toBe(
      'web-7d4b9c8f6d-x2kqp   1/1   Running   2 (25m ago)   65m\njob-x                  0/1   Error     0             25h\n',
    );
  });

  it('--show-labels appends LABELS; withKind prefixes names', () => {
    const out = printTable(table, { showLabels: true, withKind: 'pod' });
    expect(out.split('\n')[0]).toBe('NAME                       READY   STATUS    RESTARTS      AGE   LABELS');
    expect(out.split('\n')[1]).toBe('pod/web-7d4b9c8f6d-x2kqp   1/1     Running   2 (25m ago)   65m   app=web,pod-template-hash=7d4b9c8f6d');
    expect(out.split('\n')[2]).toBe('pod/job-x                  0/1     Error     0             25h   <none>');
  });

  it('applies kubectl\'s minimum cell width of 6 (real kubectl output)', () => {
    const p = { metadata: { name: 'p', namespace: 'default', creationTimestamp: new Date(NOW - 5000).toISOString() }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } };
    expect(printTable(tableFor('Pod', [p], { now: NOW }), { wide: true, noHeaders: true })).toBe(
      'p     0/1   Pending   0     5s    <none>   <none>   <none>   <none>\n',
    );
  });

  it('prints nothing for an empty table (kubectl says "No resources found" on stderr)', () => {
    expect(printTable(tableFor('Pod', [], { now: NOW }))).toBe('');
  });

  it('prints the default event columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE', () => {
    const out = printTable(tableFor('Event', webEvents, { now: NOW }));
    expect(out.split('\n')[0]).toBe('LAST SEEN   TYPE      REASON      OBJECT                     MESSAGE');
    expect(out.split('\n')[2]).toBe('25m         Warning   Unhealthy   pod/web-7d4b9c8f6d-x2kqp   Liveness probe failed: HTTP probe failed with statuscode: 500');
  });

  it('truncates multi-line cells at the first line break with "..." and shows numbers', () => {
    const t: Table = {
      kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {},
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: '', priority: 0 },
        { name: 'Count', type: 'integer', format: '', description: '', priority: 0 },
        { name: 'Message', type: 'string', format: '', description: '', priority: 0 },
      ],
      rows: [{ cells: ['a', 3, 'first\nsecond'], object: null }],
    };
    expect(printTable(t)).toBe('NAME   COUNT   MESSAGE\na      3       first...\n');
  });
});

describe('tabwrite (Go text/tabwriter semantics)', () => {
  it('pads every column to max width + 3, with a minimum of 6 for kubectl get', () => {
    expect(tabwrite('A\tB\nx\ty\n', GET_TABWRITER)).toBe('A     B\nx     y\n');
  });
  it('does not pad the last cell of a line', () => {
    expect(tabwrite('NAME\tAGE\nlonger-name\t5s\n', GET_TABWRITER)).toBe('NAME          AGE\nlonger-name   5s\n');
  });
  it('starts a new column block after a line without that column', () => {
    const opts = { minwidth: 0, padding: 2 };
    expect(tabwrite('a:\t1\nheader\nlonger key:\t2\n', opts)).toBe('a:  1\nheader\nlonger key:  2\n');
  });
  it('counts code points, not UTF-16 units', () => {
    expect(tabwrite('\u{1F600}\tx\nab\ty\n', { minwidth: 0, padding: 1 })).toBe('\u{1F600}  x\nab y\n');
  });
});

describe('printName (-o name)', () => {
  it('lower-cases the kind and adds the group for non-core kinds', () => {
    expect(printName(webPod, 'Pod')).toBe('pod/web-7d4b9c8f6d-x2kqp');
    expect(printName({ kind: 'Event', apiVersion: 'v1', metadata: { name: 'e.1' } })).toBe('event/e.1');
    expect(printName({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web' } })).toBe('deployment.apps/web');
  });
});
