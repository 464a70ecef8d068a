/**
 * Vitest reporters: the default console reporter, plus a JSON report per config when
 * SEALDESK_TEST_REPORT_DIR is set (.ci/run computes its closing `N passed, N failed` line from them).
 */
type ReporterEntry = string | [string, Record<string, unknown>];

export function reporters(name: string): ReporterEntry[] {
  const dir = process.env['SEALDESK_TEST_REPORT_DIR'];
  if (dir === undefined || dir === '') return ['default'];
  return ['default', ['json', { outputFile: `${dir}/${name}.json` }]];
}
