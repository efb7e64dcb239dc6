import { describe, expect, it } from 'vitest';
import { formatLabels, matchLabelSelector, matchesLabels, parseLabelSelector } from '../src/api/selectors/labels.js';

const matches = (sel: string, labels: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);

describe('parseLabelSelector: syntax', () => {
  it('parses every operator and sorts requirements by key', () => {
    expect(parseLabelSelector('z=a, y==b ,x!=c,w in (b, a, a),v notin (q),u,!t,s>1,r<5')).toEqual([
      { key: 'r', operator: 'lt', values: ['5'] },
      { key: 's', operator: 'gt', values: ['1'] },
      { key: 't', operator: '!', values: [] },
      { key: 'u', operator: 'exists', values: [] },
      { key: 'v', operator: 'notin', values: ['q'] },
      { key: 'w', operator: 'in', values: ['a', 'b'] },
      { key: 'x', operator: '!=', values: ['c'] },
      { key: 'y', operator: '==', values: ['b'] },
      { key: 'z', operator: '=', values: ['a'] },
    ]);
  });

  it('accepts the upstream good strings', () => {
    for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5', '\rx']) {
      expect(() => parseLabelSelector(s)).not.toThrow();
    }
  });

  it('tolerates whitespace, prefixed keys and empty values in sets', () => {
    expect(parseLabelSelector('foo  in\t (abc)')).toEqual([{ key: 'foo', operator: 'in', values: ['abc'] }]);
    expect(parseLabelSelector('x notin\n (abc)')[0]!.operator).toBe('notin');
    expect(parseLabelSelector('example.com/key-with-dash in (so,what)')[0]!.key).toBe('example.com/key-with-dash');
    expect(parseLabelSelector('x in (abc,)')[0]!.values).toEqual(['', 'abc']);
    expect(parseLabelSelector('x in ()')[0]!.values).toEqual(['']);
    expect(parseLabelSelector('x=')[0]!.values).toEqual(['']);
    expect(parseLabelSelector('constructor=toString')).toEqual([{ key: 'constructor', operator: '=', values: ['toString'] }]);
    // in/notin are plain words in value position
    expect(parseLabelSelector('notin=in')).toEqual([{ key: 'notin', operator: '=', values: ['in'] }]);
  });

  it.each([
    ['x=a||y=b', "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ['x,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['-x', "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    ['Bad_Prefix/x', "unable to parse requirement: <nil>: Invalid value: \"Bad_Prefix/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    ['x=' + 'a'.repeat(64), `unable to parse requirement: values[0][x]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
  ])('rejects %j', (sel, msg) => {
    expect(() => parseLabelSelector(sel)).toThrow(msg);
  });
});

describe('matchesLabels', () => {
  const set = { foo: 'bar', baz: 'blah' };
  it('matches the upstream cases', () => {
    expect(matches('', { x: 'y' })).toBe(true);
    expect(matches('x=y', { x: 'y' })).toBe(true);
    expect(matches('x!=y,z!=w', { x: 'z', z: 'a' })).toBe(true);
    expect(matches('x', { x: 'z' })).toBe(true);
    expect(matches('!x', { y: 'z' })).toBe(true);
    expect(matches('x>1', { x: '2' })).toBe(true);
    expect(matches('x<1', { x: '0' })).toBe(true);
    expect(matches('x=z', {})).toBe(false);
    expect(matches('x!=y,z!=w', { x: 'z', z: 'w' })).toBe(false);
    expect(matches('!x', { x: 'z' })).toBe(false);
    expect(matches('x>1', { x: 'v2' })).toBe(false);
    expect(matches('foo=bar,baz=blah', set)).toBe(true);
    expect(matches('foo=bar,foobar=bar,baz=blah', set)).toBe(false);
  });
  it('notin and != match a missing key; in requires it', () => {
    expect(matches('x notin (a)', {})).toBe(true);
    expect(matches('x!=a', {})).toBe(true);
    expect(matches('x in (a,b)', { x: 'b' })).toBe(true);
    expect(matches('x in (a,b)', {})).toBe(false);
    expect(matches('x in ()', { x: '' })).toBe(true);
  });
  it('treats missing labels as an empty set', () => {
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false);
    expect(matchesLabels(parseLabelSelector('!app'), undefined)).toBe(true);
  });
});

describe('matchLabelSelector (metav1.LabelSelector)', () => {
  const labels = { app: 'web', tier: 'front' };
  it('nil matches nothing, empty matches everything', () => {
    expect(matchLabelSelector(undefined, labels)).toBe(false);
    expect(matchLabelSelector({}, labels)).toBe(true);
  });
  it('ANDs matchLabels and matchExpressions', () => {
    expect(matchLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
    expect(matchLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(matchLabelSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'db', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });
  it('rejects invalid expressions like the API server', () => {
    expect(() => matchLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, labels)).toThrow('"Gt" is not a valid label selector operator');
    expect(() => matchLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, labels)).toThrow(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => matchLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, labels)).toThrow(
      'values set must be empty for exists and does not exist',
    );
  });
});

describe('formatLabels', () => {
  it('sorts keys and prints <none> when empty', () => {
    expect(formatLabels({ tier: 'f', app: 'web' })).toBe('app=web,tier=f');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });
});
