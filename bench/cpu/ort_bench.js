#!/usr/bin/env node
// Times one ONNX model with onnxruntime-node on the CPU.
//
//   node ort_bench.js --model=M.onnx --input=NAME=@x.npy ... [--threads=2]
//        [--warmup=3] [--min-runs=5] [--max-runs=200] [--target-seconds=5]
//        [--outputs=DIR]
//
// The session: CPU execution provider, intra-op threads = --threads,
// inter-op threads 1, sequential execution, all graph optimizations. Inputs
// are .npy files (float32, int64) bound by name and created once. After the
// warm-up runs, the number of timed runs is --target-seconds divided by the
// median warm-up time, clamped to [--min-runs, --max-runs]. Each timed run
// is one `await session.run(feeds)` measured with process.hrtime. With
// --outputs, the first run's outputs are written there as NAME.npy
// (float32) for the correctness check. Prints one JSON object on stdout:
// {ort_version, model, threads, warmup, runs, times_ms, median_ms, min_ms,
//  max_ms, session_create_ms, outputs}.
//
// The module is found through NODE_PATH or bench/.work/node/node_modules.
"use strict";

const fs = require("fs");
const path = require("path");

function loadOrt() {
  try {
    return require("onnxruntime-node");
  } catch (e) {
    const fallback = path.join(__dirname, "..", ".work", "node", "node_modules", "onnxruntime-node");
    return require(fallback);
  }
}

function parseArgs(argv) {
  const args = { inputs: [], threads: 2, warmup: 3, minRuns: 5, maxRuns: 200, targetSeconds: 5 };
  for (const a of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`bad argument ${a}`);
    const [, key, value] = m;
    if (key === "model") args.model = value;
    else if (key === "input") {
      const eq = value.indexOf("=@");
      if (eq < 0) throw new Error(`--input expects NAME=@file.npy, got ${value}`);
      args.inputs.push([value.slice(0, eq), value.slice(eq + 2)]);
    } else if (key === "threads") args.threads = parseInt(value, 10);
    else if (key === "warmup") args.warmup = parseInt(value, 10);
    else if (key === "min-runs") args.minRuns = parseInt(value, 10);
    else if (key === "max-runs") args.maxRuns = parseInt(value, 10);
    else if (key === "target-seconds") args.targetSeconds = parseFloat(value);
    else if (key === "outputs") args.outputs = value;
    else throw new Error(`unknown option --${key}`);
  }
  if (!args.model) throw new Error("--model is required");
  return args;
}

const DTYPES = {
  "<f4": ["float32", Float32Array],
  "<i8": ["int64", BigInt64Array],
  "<i4": ["int32", Int32Array],
  "<f8": ["float64", Float64Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x934e554d || buf[4] !== 0x50 || buf[5] !== 0x59)
    throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString("latin1", start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)[1];
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s).map(Number);
  if (fortran !== "False") throw new Error(`${file}: Fortran order is not supported`);
  if (!(descr in DTYPES)) throw new Error(`${file}: dtype ${descr} is not supported`);
  const [type, Ctor] = DTYPES[descr];
  const dataStart = start + headerLen;
  // Copy into a fresh, aligned buffer.
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart, buf.length - dataStart);
  const data = new Ctor(bytes.length / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(data.buffer).set(bytes);
  return { type, data, shape };
}

function writeNpyF32(file, data, dims) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(", ")}${dims.length === 1 ? "," : ""}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const head = Buffer.alloc(10);
  head.writeUInt32BE(0x934e554d, 0);
  head[4] = 0x50; head[5] = 0x59; head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, "latin1"),
    Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength)]));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ["cpu"],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const createMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const feeds = {};
  for (const [name, file] of args.inputs) {
    const { type, data, shape } = readNpy(file);
    feeds[name] = new ort.Tensor(type, data, shape);
  }
  for (const name of session.inputNames)
    if (!(name in feeds)) throw new Error(`no --input for the model's input '${name}'`);

  const once = async () => {
    const start = process.hrtime.bigint();
    const out = await session.run(feeds);
    return [Number(process.hrtime.bigint() - start) / 1e6, out];
  };
  const [, first] = await once();
  const outputs = {};
  if (args.outputs) {
    fs.mkdirSync(args.outputs, { recursive: true });
    for (const name of session.outputNames) {
      const file = path.join(args.outputs, `${name}.npy`);
      writeNpyF32(file, first[name].data, first[name].dims);
      outputs[name] = file;
    }
  }
  const warm = [];
  for (let i = 0; i < args.warmup; ++i) warm.push((await once())[0]);
  const estimate = warm.length ? median(warm) : 1;
  const runs = Math.max(args.minRuns, Math.min(args.maxRuns,
    Math.ceil((args.targetSeconds * 1000) / Math.max(estimate, 1e-3))));
  const times = [];
  for (let i = 0; i < runs; ++i) times.push((await once())[0]);
  const version = (ort.env && ort.env.versions && ort.env.versions.node) || "unknown";
  process.stdout.write(JSON.stringify({
    ort_version: version, model: args.model, threads: args.threads, warmup: args.warmup + 1,
    runs, times_ms: times, median_ms: median(times), min_ms: Math.min(...times),
    max_ms: Math.max(...times), session_create_ms: createMs, outputs,
  }) + "\n");
}

main().catch((e) => {
  process.stderr.write(`ort_bench: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
