#!/usr/bin/env node
import { Command } from 'commander';
import { runCommand } from './run.js';
import { UsageError } from './loadPods.js';

const program = new Command();
program.name('tinylet').description('A mini kubelet: runs Kubernetes Pod YAML as real Linux processes').version('0.1.0');

program
  .command('run')
  .description('run the pods of a manifest in the foreground, print their timeline, delete them after --for or on Ctrl-C')
  .argument('<file>', 'Pod manifest (YAML or JSON, "-" for stdin)')
  .option('--for <duration>', 'delete the pod gracefully after this long (e.g. 10s, 1m)')
  .option('--grace-period <seconds>', 'grace period for the delete (default: the pod\'s terminationGracePeriodSeconds)')
  .option('--force', 'with --grace-period=0: skip preStop and kill after the 2-second minimum')
  .option('-o, --output <format>', 'json: print {"pod", "events"} once the pod is gone')
  .option('--config <file>', 'agent config file (KubeletConfiguration-style YAML)')
  .option('--lenient', 'warn about fields tinylet does not implement instead of refusing the manifest')
  .action(async (file: string, opts) => {
    process.exitCode = await runCommand(file, opts);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err instanceof UsageError ? err.message : `error: ${err.message}`);
  process.exitCode = 1;
});
