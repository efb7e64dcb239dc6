#!/usr/bin/env node
import { Command } from 'commander';
import { UsageError } from './usageError.js';
import { formatCliError } from './client/errors.js';
import { collect } from './manifests.js';

// Command modules load on use: `tinylet run` should not pay for the API client, node-pty or the server.
const program = new Command();
program
  .option('-s, --server <url>', 'the agent: unix:///path/to/tinylet.sock (default /run/tinylet/tinylet.sock, or $TINYLET_SOCKET) or https://127.0.0.1:PORT')
  .option('--kubeconfig <file>', 'use the server, token and namespace of this kubeconfig (see `tinylet kubeconfig`)')
  .option('--token <token>', 'bearer token for an https --server')
  .option('--insecure-skip-tls-verify', 'do not check the https server\'s certificate')
  .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig\'s, else default)');

/** With -o json, a failure still prints a JSON document on stdout, `{"errors": [...]}` (see jsonErrors.ts). */
async function printJsonErrors(err: unknown): Promise<void> {
  const { jsonErrorDocument, toJsonErrors } = await import('./jsonErrors.js');
  process.stdout.write(jsonErrorDocument(toJsonErrors(err)));
}

type Cmd = { optsWithGlobals(): any };
const g = (cmd: Cmd) => cmd.optsWithGlobals();

/**
 * Runs a command that talks to the agent; errors are printed the way kubectl prints them. `json`:
 * the command's -o is an output format, so -o json gets its errors as JSON too.
 */
const api =
  <A extends unknown[]>(fn: (...args: A) => Promise<number>, { json = false } = {}) =>
  async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      console.error(err instanceof UsageError ? err.message : formatCliError(err));
      if (json && g(args[args.length - 1] as Cmd).output === 'json') await printJsonErrors(err);
      process.exitCode = 1;
    }
  };

program.name('tinylet').description('A mini kubelet: runs Kubernetes Pod YAML as real Linux processes').version('0.1.0');

program
  .command('run')
  .description('run the pods of a manifest in the foreground, print their timeline, delete them after --for or on Ctrl-C')
  .argument('<file>', 'Pod manifest (YAML or JSON, "-" for stdin)')
  .option('--for <duration>', 'delete the pod gracefully after this long (e.g. 10s, 1m)')
  .option('--grace-period <seconds>', 'grace period for the delete (default: the pod\'s terminationGracePeriodSeconds)')
  .option('--force', 'with --grace-period=0: skip preStop and kill after the 2-second minimum')
  .option('-o, --output <format>', 'json: print {"pod", "events", "verdict"} once the pod is gone (on an error: {"errors": [...]})')
  .option('--config <file>', 'agent config file (KubeletConfiguration-style YAML)')
  .option('--lenient', 'warn about fields and kinds tinylet does not implement instead of refusing the manifest (other kinds are skipped)')
  .option('--as-pod', 'run the pod template of a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob as one Pod named after it')
  .option('--timeline <file>', 'once the pods are gone, write their timeline as a picture: .svg (one pod) or .html (SVG plus the event table)')
  .action(async (file: string, opts) => {
    try {
      process.exitCode = await (await import('./run.js')).runCommand(file, opts);
    } catch (err) {
      if (opts.output === 'json') await printJsonErrors(err);
      throw err;
    }
  });

program
  .command('verify')
  .description('does the app shut down right? run the pods, delete them once Ready, and judge each container\'s stop with a diagnosis (exit 0 only if all passed)')
  .requiredOption('-f, --filename <file>', 'manifest (any that `tinylet run` takes, "-" for stdin)')
  .option('--grace-period <seconds>', 'grace period for the delete (default: the pod\'s terminationGracePeriodSeconds)')
  .option('--ready-after <duration>', 'wait this long after Ready before deleting (default 0 with a readinessProbe, else 1s)')
  .option('--timeout <duration>', 'delete anyway (and fail) if the pods are not Ready after this long', '60s')
  .option('-o, --output <format>', 'json: the report as JSON (schema: docs/verify.schema.json)')
  .option('--junit <file>', 'also write the report as JUnit XML to this file')
  .option('--config <file>', 'agent config file (KubeletConfiguration-style YAML)')
  .option('--lenient', 'warn about fields and kinds tinylet does not implement instead of refusing the manifest')
  .option('--as-pod', 'verify the pod template of a Deployment, Job... as one Pod named after it')
  .option('--load <target>', 'drive HTTP load from before the delete until the pods are gone: http://URL, pod/NAME:PORT[/path] or service/NAME:PORT[/path]')
  .option('--rps <n>', 'with --load: requests per second (default 20)')
  .option('--concurrency <n>', 'with --load: requests in flight at most (default 4)')
  .option('-v, --verbose', 'print the run\'s timeline and logs on stderr')
  .option('--timeline <file>', 'also write the pods\' timeline picture (probe ticks, hooks, endpoints): .svg (one pod) or .html')
  .action(async (opts) => {
    try {
      process.exitCode = await (await import('./verify.js')).verifyCommand(opts);
    } catch (err) {
      if (opts.output === 'json') await printJsonErrors(err);
      throw err;
    }
  });

program
  .command('agent')
  .description('run the node agent in the foreground: the API on a Unix socket and a loopback port, pods kept across restarts')
  .option('--config <file>', 'agent config file (see agent/config.yaml)')
  .action(async (opts: { config?: string }) => {
    await (await import('./agent.js')).agentCommand(opts);
  });

program
  .command('kubeconfig')
  .description('print a kubeconfig (server, token, CA) for the agent\'s loopback HTTPS listener, for kubectl')
  .option('-o, --output <file>', 'write it to this file (mode 0600) instead of stdout')
  .action(api(async (_o: object, cmd: Cmd) => (await import('./kubeconfig.js')).kubeconfigCommand(g(cmd))));

program
  .command('apply')
  .description('create pods, services, endpoints, endpointslices, configmaps and secrets, or update them as kubectl apply does (pods: image, labels, annotations, activeDeadlineSeconds)')
  .requiredOption('-f, --filename <file>', 'file, directory or - (repeatable)', collect)
  .option('--lenient', 'accept fields tinylet does not implement, with warnings; skip kinds it does not serve')
  .option('--as-pod', 'apply the pod template of a Deployment, Job... as one Pod named after it')
  .option('-o, --output <format>', 'json|yaml|name: print the resulting objects')
  .action(api(async (_o: object, cmd: Cmd) => (await import('./apply.js')).applyCommand(g(cmd)), { json: true }));

program
  .command('create')
  .description('create pods, services, endpoints, endpointslices, configmaps and secrets from manifests')
  .requiredOption('-f, --filename <file>', 'file, directory or - (repeatable)', collect)
  .option('--lenient', 'accept fields tinylet does not implement, with warnings; skip kinds it does not serve')
  .option('--as-pod', 'create the pod template of a Deployment, Job... as one Pod named after it')
  .option('--dry-run <mode>', 'server: validate on the agent without creating')
  .option('-o, --output <format>', 'json|yaml|name: print the created objects')
  .action(api(async (_o: object, cmd: Cmd) => (await import('./create.js')).createCommand(g(cmd)), { json: true }));

program
  .command('get')
  .description('list pods, services, endpoints, endpointslices, configmaps, secrets, events or namespaces (kubectl\'s columns), or print them as json/yaml/name')
  .argument('<resource...>', 'pods|pod NAME|services|endpoints|endpointslices|configmaps|secrets|events|namespaces (also po, svc, ep, cm, ev, ns, pod/NAME)')
  .option('-o, --output <format>', 'wide|json|yaml|name')
  .option('-l, --selector <selector>', 'label selector (=, ==, !=, in, notin, key, !key)')
  .option('--field-selector <selector>', 'field selector (metadata.name=..., status.phase!=Running, ...)')
  .option('-A, --all-namespaces', 'all namespaces')
  .option('-w, --watch', 'after listing, watch for changes')
  .option('--show-labels', 'show the labels as the last column')
  .option('--no-headers', 'no header line')
  .action(api(async (args: string[], _o: object, cmd: Cmd) => (await import('./get.js')).getCommand(args, g(cmd)), { json: true }));

program
  .command('describe')
  .description('show a pod in detail, kubectl\'s layout, with its events')
  .argument('<resource...>', 'pod NAME... (or pod -l SELECTOR)')
  .option('-l, --selector <selector>', 'label selector')
  .action(api(async (args: string[], _o: object, cmd: Cmd) => (await import('./describe.js')).describeCommand(args, g(cmd))));

program
  .command('delete')
  .description('delete pods gracefully (SIGTERM, grace period, SIGKILL), and services, configmaps, secrets, endpoints, endpointslices, by name, file or selector')
  .argument('[resource...]', 'pod NAME... (or svc, cm, secret, ep, endpointslice NAME...)')
  .option('-f, --filename <file>', 'delete the objects of this manifest (repeatable)', collect)
  .option('--as-pod', 'with -f: a Deployment, Job... stands for the pod --as-pod made from it')
  .option('-l, --selector <selector>', 'label selector')
  .option('--all', 'every object of that resource in the namespace')
  .option('--grace-period <seconds>', 'seconds before SIGKILL (default: the pod\'s terminationGracePeriodSeconds)')
  .option('--force', 'with --grace-period=0: remove the object at once (the node still stops the containers)')
  .option('--wait [bool]', 'wait until the pods are gone (default true)', (v: string) => v !== 'false', true)
  .action(api(async (args: string[], _o: object, cmd: Cmd) => (await import('./delete.js')).deleteCommand(args, g(cmd))));

program
  .command('logs')
  .description('print a container\'s logs')
  .argument('<pod>', 'pod name')
  .argument('[container]', 'container name')
  .option('-c, --container <name>', 'container name')
  .option('-f, --follow', 'stream new lines while the container runs')
  .option('-p, --previous', 'the previous instance of the container (before its last restart)')
  .option('--timestamps', 'prefix each line with its RFC3339 timestamp')
  .option('--tail <lines>', 'only the last N lines')
  .option('--since <duration>', 'only lines newer than this (5s, 2m, 1h)')
  .action(api(async (pod: string, container: string | undefined, _o: object, cmd: Cmd) => (await import('./logs.js')).logsCommand(pod, container, g(cmd))));

program
  .command('exec')
  .description('run a command inside a container (its namespaces and root)')
  .argument('<pod>', 'pod name')
  .argument('<command...>', 'the command, after --')
  .option('-c, --container <name>', 'container name')
  .option('-i, --stdin', 'pass stdin to the command')
  .option('-t, --tty', 'allocate a terminal (a real PTY on the node)')
  .action(api(async (pod: string, command: string[], _o: object, cmd: Cmd) => (await import('./exec.js')).execCommand(pod, command, g(cmd))));

program
  .command('top')
  .description('CPU and memory of pods (each container\'s cgroup, over a sampled window)')
  .argument('<kind>', 'pod')
  .argument('[name]', 'pod name')
  .option('-A, --all-namespaces', 'all namespaces')
  .option('-l, --selector <selector>', 'label selector')
  .option('--containers', 'one line per container')
  .action(api(async (kind: string, name: string | undefined, _o: object, cmd: Cmd) => (await import('./top.js')).topCommand(kind, name, g(cmd))));

program
  .command('events')
  .description('the timeline of a pod (or of a namespace) with millisecond times')
  .argument('[pod]', 'pod name')
  .option('-A, --all-namespaces', 'all namespaces')
  .option('-w, --watch', 'keep printing new events')
  .action(api(async (pod: string | undefined, _o: object, cmd: Cmd) => (await import('./events.js')).eventsCommand(pod, g(cmd))));

program
  .command('timeline')
  .description('a picture of a pod\'s timeline (SVG, or HTML with the entry table) from the agent\'s record of the pod, else its events')
  .argument('<pod>', 'pod name')
  .option('-o, --output <format>', 'svg|html', 'html')
  .action(api(async (pod: string, _o: object, cmd: Cmd) => (await import('./timelineCommand.js')).timelineCommand(pod, g(cmd))));

program
  .command('doctor')
  .description('check that this host can run pods (root, util-linux, iproute2, overlayfs, the pause binary, image programs)')
  .action(async () => {
    process.exitCode = (await import('./preflight.js')).doctorCommand();
  });

// Local commands: a failure reaches parseAsync's catch below, which prints it (`error: ...`) and sets exit code 1.
// Local commands (no agent): a failure reaches parseAsync's catch at the end, which prints it and sets exit code 1.
const image = program.command('image').description('pulled and loaded OCI images: the store the agent and `tinylet run` share (under the state dir)');
image
  .command('load')
  .description('load images from a `docker save` tarball (both forms) or an OCI layout (directory or tar); "-" reads stdin')
  .argument('<file>', 'tarball, OCI layout directory, or -')
  .option('--name <repository>', 'repository for OCI layout images named only by a tag (org.opencontainers.image.ref.name: v1)')
  .option('--config <file>', 'agent config file (its stateDir/imageDir)')
  .action(async (file: string, opts) => {
    process.exitCode = await (await import('./images/imageLoad.js')).imageLoadCommand(file, opts);
  });
image
  .command('pull')
  .description('pull an image from its registry (registries: in the agent config for mirrors, insecure hosts, credentials)')
  .argument('<image>', 'image reference, e.g. 127.0.0.1:5000/app:v1')
  .option('--config <file>', 'agent config file')
  .action(async (ref: string, opts) => {
    process.exitCode = await (await import('./images/imagePull.js')).imagePullCommand(ref, opts);
  });
image
  .command('ls')
  .alias('list')
  .description('list the images: pulled and loaded ones, then the host-backed names')
  .option('-q, --quiet', 'only image IDs')
  .option('--config <file>', 'agent config file')
  .action(async (opts) => {
    process.exitCode = await (await import('./images/imageList.js')).imageListCommand(opts);
  });
image
  .command('rm')
  .description('remove images by reference or image ID (files a running container uses stay until it stops)')
  .argument('<image...>', 'references or image IDs')
  .option('--config <file>', 'agent config file')
  .action(async (refs: string[], opts) => {
    process.exitCode = await (await import('./images/imageRemove.js')).imageRemoveCommand(refs, opts);
  });
image
  .command('prune')
  .description('remove every image no running container uses')
  .option('--config <file>', 'agent config file')
  .action(async (opts) => {
    process.exitCode = await (await import('./images/imagePrune.js')).imagePruneCommand(opts);
  });

const scenario = program.command('scenario').description('workshop labs bundled in scenarios/: run one and check its expected outcome');
scenario
  .command('list')
  .description('the bundled scenarios')
  .action(async () => {
    process.exitCode = (await import('./scenario.js')).scenarioListCommand();
  });
scenario
  .command('run')
  .description('run a scenario as `tinylet run` does (timeline and logs), then check what it should show')
  .argument('[name]', 'scenario name (tinylet scenario list)')
  .option('--config <file>', 'agent config file (the scenario may shrink some of its numbers)')
  .option('--all', 'run every scenario (except those tagged long) and print a summary table; exit 0 only if all pass')
  .option('--tag <tag>', 'run the scenarios with this tag (repeatable)', collect)
  .option('--include <tag>', 'with --all: also run scenarios with this tag, e.g. --include long (repeatable)', collect)
  .action(async (name: string | undefined, opts: { config?: string; all?: boolean; tag?: string[]; include?: string[] }) => {
    process.exitCode = await (await import('./scenario.js')).scenarioRunCommand(name, opts);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err instanceof UsageError ? err.message : `error: ${err.message}`);
  process.exitCode = 1;
});
