// JUnit XML for CI test reporters: a <testsuite> per pod, a <testcase> per container check, and one
// for the load check; a failing case carries the diagnosis.
import { escapeXml } from '../xml/escapeXml.js';
import type { ContainerCheck, VerifyReport } from './report.js';


function failureText(c: ContainerCheck): string {
  const head = c.outcome === 'killed' ? 'killed by SIGKILL at the grace deadline' : c.outcome === 'notRunning' ? 'was not running when the pod was deleted' : `exited with code ${c.exitCode}`;
  return [head, ...c.diagnosis.map((d) => `${d.message}; fix: ${d.fix}`)].join('\n');
}

function testcase(classname: string, name: string, seconds: number, failure?: { message: string; body: string }): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}" time="${seconds.toFixed(3)}"`;
  if (!failure) return `${open}/>`;
  return `${open}>\n      <failure message="${escapeXml(failure.message)}">${escapeXml(failure.body)}</failure>\n    </testcase>`;
}

export function toJunit(r: VerifyReport): string {
  const suites: string[] = [];
  for (const p of r.pods) {
    const classname = `${p.namespace}/${p.name}`;
    const cases = p.containers.map((c) =>
      testcase(classname, `container ${c.container} stops within the grace period`, (c.stopToExitMs ?? 0) / 1000, c.ok ? undefined : { message: c.diagnosis[0]?.message ?? failureText(c).split('\n')[0]!, body: failureText(c) }),
    );
    if (!p.ok && p.containers.every((c) => c.ok)) cases.push(testcase(classname, 'pod ends well', 0, { message: p.summary, body: [p.summary, ...p.hints].join('\n') }));
    const failures = cases.filter((c) => c.includes('<failure')).length;
    suites.push(`  <testsuite name="${escapeXml(classname)}" tests="${cases.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  if (r.load) {
    const l = r.load;
    const summary = `${l.started} started, ${l.completed} completed, ${l.failed} failed (${l.reset} reset), ${l.afterStopSignal} after the stop signal`;
    const timing = l.timing ? [`vs service/${l.timing.service}'s endpoints: ${l.timing.message}${l.timing.fix ? `; fix: ${l.timing.fix}` : ''}`] : [];
    const body = [
      summary,
      ...l.failures.map((f) => `${f.error} at ${f.msFromStopSignal ?? '?'} ms from the stop signal${f.msFromEndpointRemoval !== null ? `, ${f.msFromEndpointRemoval} ms from the endpoint removal` : ''}`),
      ...(l.message ? [l.message] : []),
      ...timing,
    ].join('\n');
    const head = l.droppedInFlight > 0 || !l.timing?.beforeEndpointRemoval ? `${l.droppedInFlight} request(s) in flight at the stop signal failed` : l.timing.message;
    const c = testcase('load', `no failed requests during shutdown (${l.target})`, 0, l.ok ? undefined : { message: `${head}${l.message ? `; ${l.message}` : ''}`, body });
    suites.push(`  <testsuite name="load" tests="1" failures="${l.ok ? 0 : 1}" errors="0">\n${c}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tinylet verify">\n${suites.join('\n')}\n</testsuites>\n`;
}
