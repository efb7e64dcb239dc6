// `kubectl describe pod`, reproduced from k8s.io/kubectl/pkg/describe (describePod,
// DescribeEvents). The layout is the one users read every day, so it is kept line for line,
// including kubectl's oddities: "IP:" printed even when empty, "Terminating (lasts <invalid>)"
// (the deletion timestamp lies in the future), "Events:  <none>" aligned with the block above it.
import type { Container, Event, Pod } from '../types.js';
import { describeContainers } from './describeContainers.js';
import {
  type DescribeOptions, PrefixWriter, describeVolumes, formatRFC1123Z, podQOSClass, printAnnotationsMultiline,
  printLabelsMultiline, printTolerationsMultiline,
} from './describeUtil.js';
import { toMillis, translateTimestampSince } from './duration.js';

export type { DescribeOptions } from './describeUtil.js';

/**
 * describe sorts events by lastTimestamp only (kubectl/pkg/util/event.SortableEvents); events
 * without one (new-style, eventTime only) sort first. Go's sort is stable at these sizes.
 */
const eventSortTime = (e: Event): number => toMillis(e.lastTimestamp) ?? Number.NEGATIVE_INFINITY;

/** DescribeEvents: writes the Events section into an existing describe writer. */
export function writeEvents(w: PrefixWriter, events: readonly Event[], now: number): void {
  if (events.length === 0) {
    // No flush here: the line joins the alignment block of the lines above it.
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  const sorted = [...events].sort((a, b) => {
    const ta = eventSortTime(a);
    const tb = eventSortTime(b);
    return ta === tb ? 0 : ta < tb ? -1 : 1;
  });
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = e.eventTime ? translateTimestampSince(e.eventTime, now) : translateTimestampSince(e.firstTimestamp, now);
    let age = first;
    if (e.series) age = `${translateTimestampSince(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    else if ((e.count ?? 0) > 1) age = `${translateTimestampSince(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    const source = e.source?.component || e.reportingComponent || '';
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${age}\t${source}\t${(e.message ?? '').trim()}\n`);
  }
}

/** The Events section on its own (as printed at the bottom of every describe). */
export function describeEventsSection(events: readonly Event[], now: number): string {
  const w = new PrefixWriter();
  writeEvents(w, events, now);
  return w.toString();
}

/**
 * kubectl describe pod. `events` are the pod's events (kubectl selects them by involvedObject);
 * `now` is epoch ms. Like kubectl, it prints the object as stored: API defaults (priority,
 * serviceAccountName, probe thresholds, port protocols) show only if the store applied them.
 */
export function describePod(pod: Pod, events: readonly Event[], now: number, opts: DescribeOptions = {}): string {
  const w = new PrefixWriter(opts);
  const meta = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  if (spec.priority !== undefined && spec.priority !== null) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(0, `Start Time:\t${formatRFC1123Z(status.startTime, opts)}\n`);
  printLabelsMultiline(w, 'Labels', meta.labels);
  printAnnotationsMultiline(w, 'Annotations', meta.annotations);
  if (meta.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${translateTimestampSince(meta.deletionTimestamp, now)})\n`);
    w.write(0, `Termination Grace Period:\t${meta.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ''}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  w.write(0, `IP:\t${status.podIP ?? ''}\n`);
  if (status.podIPs?.length) {
    w.write(0, 'IPs:\n');
    for (const ip of status.podIPs) w.write(1, `IP:\t${ip.ip}\n`);
  } else {
    w.write(0, 'IPs:\t<none>\n');
  }
  const controller = meta.ownerReferences?.find((r) => r.controller);
  if (controller) w.write(0, `Controlled By:\t${controller.kind}/${controller.name}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);

  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses, pod);
  describeContainers(w, 'Containers', spec.containers ?? [], status.containerStatuses, pod);
  // kubectl prints them as containers (their EphemeralContainerCommon), after the pod's own.
  if (spec.ephemeralContainers?.length) describeContainers(w, 'Ephemeral Containers', spec.ephemeralContainers as Container[], status.ephemeralContainerStatuses, pod);

  if (spec.readinessGates?.length) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of spec.readinessGates) {
      const c = status.conditions?.find((x) => x.type === g.conditionType);
      w.write(1, `${g.conditionType} \t${c ? c.status : '<none>'} \n`);
    }
  }
  if (status.conditions?.length) {
    // The trailing spaces are kubectl's ("%v \t%v \n").
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of status.conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec.volumes);
  w.write(0, `QoS Class:\t${podQOSClass(pod)}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, 'Tolerations', spec.tolerations);
  writeEvents(w, events, now);
  return w.toString();
}
