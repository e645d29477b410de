// Sweeps that outgrow one machine: `sweep --emit slurm|k8s DIR` writes the plan's job list and a batch description
// that runs each slice as one array task — a Slurm job array (sbatch --array) or a Kubernetes Indexed Job
// (completionMode: Indexed, the index in JOB_COMPLETION_INDEX) — each task running
// `mmulab sweep … --slice I/N --out DIR/slices/I`; `mmulab sweep merge DIR/slices/*` then gives the whole sweep.

import { shellQuote } from "../sys/shell_quote.js";

export type EmitKind = "slurm" | "k8s";
export const EMIT_KINDS: readonly EmitKind[] = ["slurm", "k8s"];

export interface EmitPlan {
  kind: EmitKind;
  dir: string;                // where the files go (absolute)
  cwd: string;                // the directory the sweep was planned in: inputs are named relative to it
  launcher: string[];         // the words that start mmulab here, e.g. ["node", "/…/bin/mmulab.js"]
  sweepArgs: string[];        // the sweep's own arguments (no --emit, --slices, --out, --slice)
  slices: number;
  jobs: string[];             // one line per job of the plan: what it does
}

/** The command of slice `$VAR` of the plan, for a POSIX shell (the index comes from the environment). */
function sliceCommand(p: EmitPlan, indexVar: string, mmulab: string): string {
  const out = `${shellQuote(`${p.dir}/slices`)}/"$${indexVar}"`;
  return [mmulab, "sweep", ...p.sweepArgs.map(shellQuote), "--jobs", "1", "--slice", `"$${indexVar}"/${p.slices}`, "--out", out].join(" ");
}

/** jobs.txt: the plan, one job a line, with the slice that runs it. */
export function jobList(p: EmitPlan): string {
  return p.jobs.map((j, k) => `${k}\tslice ${k % p.slices}\t${j}`).join("\n") + "\n";
}

/** A Slurm batch script for `sbatch`: one array task per slice (SLURM_ARRAY_TASK_ID = the slice). */
export function slurmScript(p: EmitPlan): string {
  return [
    "#!/bin/sh",
    `# mmulab sweep in ${p.slices} slices (${p.jobs.length} jobs, listed in jobs.txt). Submit with: sbatch ${shellQuote(`${p.dir}/sweep.slurm`)}`,
    `# then: mmulab sweep merge ${shellQuote(`${p.dir}/slices`)}/* --out ${shellQuote(`${p.dir}/merged`)}`,
    "#SBATCH --job-name=mmulab-sweep",
    `#SBATCH --array=0-${p.slices - 1}`,
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=1",
    `#SBATCH --output=${p.dir}/logs/slice-%a.out`,
    "set -e",
    `cd ${shellQuote(p.cwd)}`,
    `MMULAB=\${MMULAB:-${shellQuote(p.launcher.map(shellQuote).join(" "))}}`,
    `exec ${sliceCommand(p, "SLURM_ARRAY_TASK_ID", "$MMULAB")}`,
    "",
  ].join("\n");
}

/**
 * A Kubernetes Indexed Job (batch/v1): `completions` = slices, the slice in JOB_COMPLETION_INDEX. The container
 * image must hold mmulab (`npm install -g mmulab`), and the working directory must be mounted at the same path in
 * every pod (inputs and slices are named by path): the volume is the cluster's own choice, so it is left to fill in.
 */
export function k8sJob(p: EmitPlan, image: string): string {
  const q = (s: string) => JSON.stringify(s);   // a JSON string is a YAML double-quoted scalar
  return [
    `# mmulab sweep in ${p.slices} slices (${p.jobs.length} jobs, listed in jobs.txt). Submit with: kubectl apply -f sweep-job.yaml`,
    `# then: mmulab sweep merge ${p.dir}/slices/* --out ${p.dir}/merged`,
    `# Mount the directory ${p.cwd} (inputs) and ${p.dir} (outputs) at the same paths in the pod (volumes below).`,
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    "  name: mmulab-sweep",
    "spec:",
    "  completionMode: Indexed",
    `  completions: ${p.slices}`,
    `  parallelism: ${p.slices}`,
    "  backoffLimit: 0",
    "  template:",
    "    spec:",
    "      restartPolicy: Never",
    "      containers:",
    "        - name: slice",
    `          image: ${q(image)}`,
    `          workingDir: ${q(p.cwd)}`,
    `          command: [${q("sh")}, ${q("-c")}, ${q(sliceCommand(p, "JOB_COMPLETION_INDEX", "mmulab"))}]`,
    "          resources:",
    "            requests:",
    "              cpu: \"1\"",
    "      # volumes: and volumeMounts: for the two directories above",
    "",
  ].join("\n");
}
