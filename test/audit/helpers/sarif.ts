// The required properties of SARIF 2.1.0 (sarif-schema-2.1.0.json, OASIS) for the objects mxpool
// writes, checked on a parsed log: sarifLog {version, runs}, run {tool}, tool {driver},
// toolComponent {name}, reportingDescriptor {id}, result {message}, message {text | id} (anyOf),
// invocation {executionSuccessful}; plus the enums and ranges the schema constrains
// (result.level, ruleIndex >= -1, version "2.1.0"). Returns every violation, empty when valid.
type Json = Record<string, unknown>;

const LEVELS = ['none', 'note', 'warning', 'error'];

export function sarifViolations(log: Json): string[] {
  const problems: string[] = [];
  const need = (object: unknown, key: string, where: string) => {
    if (typeof object !== 'object' || object === null || !(key in object)) problems.push(`${where}: "${key}" is required`);
  };
  need(log, 'version', 'sarifLog');
  need(log, 'runs', 'sarifLog');
  if (log.version !== '2.1.0') problems.push(`sarifLog.version: expected "2.1.0", got ${JSON.stringify(log.version)}`);
  if (!Array.isArray(log.runs)) return [...problems, 'sarifLog.runs: expected an array'];
  (log.runs as Json[]).forEach((run, r) => {
    need(run, 'tool', `runs[${r}]`);
    const tool = run.tool as Json | undefined;
    need(tool, 'driver', `runs[${r}].tool`);
    const driver = tool?.driver as Json | undefined;
    need(driver, 'name', `runs[${r}].tool.driver`);
    const rules = (driver?.rules ?? []) as Json[];
    rules.forEach((rule, i) => need(rule, 'id', `runs[${r}].tool.driver.rules[${i}]`));
    ((run.invocations ?? []) as Json[]).forEach((inv, i) => need(inv, 'executionSuccessful', `runs[${r}].invocations[${i}]`));
    ((run.results ?? []) as Json[]).forEach((result, i) => {
      const where = `runs[${r}].results[${i}]`;
      need(result, 'message', where);
      const message = result.message as Json | undefined;
      if (message && !('text' in message) && !('id' in message)) problems.push(`${where}.message: "text" or "id" is required`);
      if (result.level !== undefined && !LEVELS.includes(result.level as string)) problems.push(`${where}.level: ${String(result.level)} is not one of ${LEVELS.join(', ')}`);
      if (typeof result.ruleIndex === 'number' && result.ruleIndex < -1) problems.push(`${where}.ruleIndex: below -1`);
      if (typeof result.ruleIndex === 'number' && result.ruleIndex >= 0 && (rules[result.ruleIndex] as Json | undefined)?.id !== result.ruleId) problems.push(`${where}.ruleIndex: does not point at rule ${String(result.ruleId)}`);
    });
  });
  return problems;
}
