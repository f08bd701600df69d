// The Bicep reader the infra tests rely on: if it misreads, those tests pass or fail for the
// wrong reason, so its tricky cases are pinned here.
import { describe, expect, it } from 'vitest';
import { entriesOf, parseBicep, resolve, resources, valueBracketAfter } from './bicep.js';

const sample = `// a comment with { braces and 'quotes'
param schedule string = '0 0 8 * * 1'
param noDefault string
var table = 'PimActivity'
resource st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: 'x'
}
module app 'modules/functionapp.bicep' = {
  params: {
    appSettings: {
      A: '}{ not a brace'
      'B__quoted': schedule /* block { comment */
      C: 'x\${concat('}', st.name)}y' // trailing
      D: table
      E: noDefault
      F: {
        nested: 'ignored'
      }
    }
  }
}
`;

describe('Bicep reader', () => {
  const file = parseBicep(sample);
  const open = valueBracketAfter(file, 'appSettings');
  const entries = entriesOf(file, open);

  it('reads top-level keys, ignoring braces in strings, interpolations and comments', () => {
    expect(entries.map((e) => e.key)).toEqual(['A', 'B__quoted', 'C', 'D', 'E', 'F']);
  });

  it('resolves literals, params with defaults and vars, and leaves expressions alone', () => {
    const value = (k: string) => entries.find((e) => e.key === k)!.value;
    expect(resolve(file, value('A'))).toEqual({ kind: 'literal', value: '}{ not a brace' });
    expect(resolve(file, value('B__quoted'))).toEqual({ kind: 'param', name: 'schedule', default: '0 0 8 * * 1' });
    expect(resolve(file, value('C')).kind).toBe('expression');
    expect(resolve(file, value('D'))).toEqual({ kind: 'literal', value: 'PimActivity' });
    expect(resolve(file, value('E'))).toEqual({ kind: 'param', name: 'noDefault' });
  });

  it('finds resources with their type and existing flag', () => {
    expect(resources(file)).toMatchObject([{ symbol: 'st', type: 'Microsoft.Storage/storageAccounts', existing: true }]);
  });
});
