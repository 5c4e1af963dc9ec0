import Autodiff
import Foundation
import JSON
import MachineCheck
import NN
import PluginHost
import Tensor

// Sharp's engine benchmark (release build): GEMM and convolution throughput, and the cost of an
// exact Hessian-vector product relative to a gradient. Printed as a table; `--json` for scripts.
// Run through tools/bench, which also runs the PyTorch reference side by side when available.
// `--krylov` prints the Lanczos vs power-iteration HVP counts instead (KrylovComparison.swift);
// `--slq-pool` and `--slq-budget` measure hessian-spectrum's budget (SLQBudget.swift, run through
// tools/slq-budget).

KernelRestart.useBestKernel()
let arguments = CommandLine.arguments
if let at = arguments.firstIndex(of: "--profile"), at + 1 < arguments.count {
    // Runs one workload in a loop for an external profiler:
    // --profile mlp|vgg-mini:gradient|fresh|reused|sam [--iterations N] [--batch B] [--rss]
    let parts = arguments[at + 1].split(separator: ":").map(String.init)
    let batch = arguments.firstIndex(of: "--batch").map { Int(arguments[$0 + 1]) ?? 16 } ?? 16
    let network = Workloads.network(parts[0], batch: batch)
    let (p, v) = (network.model.parameters, network.direction)
    let linearization = try! Linearization(at: p, of: network.evaluationLoss)
    let sam = try! Workloads.SAMStep(network: network, registry: PluginRegistry())
    let iterations = arguments.firstIndex(of: "--iterations").map { Int(arguments[$0 + 1]) ?? 20 } ?? 20
    for _ in 0..<iterations {
        switch parts.count > 1 ? parts[1] : "gradient" {
        case "fresh": _ = try! hessianVectorProduct(at: p, vector: v, of: network.evaluationLoss)
        case "reused": _ = linearization.hessianVectorProduct(v)
        case "idle": break
        case "sam": _ = try! sam(network)
        default: _ = try! valueAndGradient(at: p, of: network.trainingLoss)
        }
        if arguments.contains("--rss") {
            let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
            print("rss pages", statm.split(separator: " ")[1])
        }
    }
    exit(0)
}
if arguments.contains("--krylov") {
    // Only the Lanczos vs power-iteration table (HVP counts, not timings), rows printed as they
    // finish: --krylov [--top-five] [--models a,b]
    func emit(_ text: String, to handle: FileHandle = .standardOutput) { handle.write(Data((text + "\n").utf8)) }
    let names = arguments.firstIndex(of: "--models").map { arguments[$0 + 1].split(separator: ",").map(String.init) }
    emit(KrylovComparison.header)
    let rows = try KrylovComparison.rows(models: names ?? KrylovComparison.models, topFive: arguments.contains("--top-five"),
                                         log: { emit("  " + $0, to: .standardError) }, row: { emit(KrylovComparison.line($0)) })
    emit(KrylovComparison.notes)
    emit("")
    KrylovComparison.verdicts(rows).forEach { emit($0) }
    exit(0)
}
if arguments.contains("--slq-pool") {
    // SLQ budget measurement (SLQBudget.swift): --slq-pool CKPT --runs R --steps M --out FILE.json
    func value(_ flag: String) -> String? {
        guard let i = arguments.firstIndex(of: flag) else { return nil }
        guard i + 1 < arguments.count else { FileHandle.standardError.write(Data("sharp-bench: \(flag) needs a value\n".utf8)); exit(2) }
        return arguments[i + 1]
    }
    func count(_ flag: String, _ fallback: Int) -> Int {
        guard let text = value(flag) else { return fallback }
        guard let n = Int(text), n >= 2 else { FileHandle.standardError.write(Data("sharp-bench: \(flag) \(text): give a whole number ≥ 2\n".utf8)); exit(2) }
        return n
    }
    guard let checkpoint = value("--slq-pool") else { exit(2) }
    let pool = try SLQBudget.pool(checkpoint: checkpoint, runs: count("--runs", 16),
                                  steps: count("--steps", 140)) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    let text = JSONWriter(pretty: false).text(try JSONValueEncoder().encode(pool)) + "\n"
    try text.write(toFile: value("--out") ?? "slq-pool-\(pool.model).json", atomically: true, encoding: .utf8)
    exit(0)
}
if let at = arguments.firstIndex(of: "--slq-budget") {
    // Compares SLQ budgets on saved pools (no products): --slq-budget POOL.json...
    let pools = try arguments[(at + 1)...].prefix { !$0.hasPrefix("--") }.map {
        try JSONDecoder().decode(SLQBudget.Pool.self, from: Data(contentsOf: URL(fileURLWithPath: $0)))
    }
    try SLQBudget.report(pools).forEach { print($0) }
    exit(0)
}
let repeats = arguments.firstIndex(of: "--repeats").map { Int(arguments[$0 + 1]) ?? 7 } ?? 7
let json = arguments.contains("--json")
var rows: [(String, Double, String)] = []

/// Records one figure under a stable `key` (tools/bench pairs keys with the PyTorch reference).
@MainActor func report(_ key: String, _ label: String, _ value: Double, _ unit: String) {
    rows.append((key, value, unit))
    if !json { print(label.padding(toLength: 58, withPad: " ", startingAt: 0), String(format: "%10.3f", value), unit) }
}

if !json {
    print("Sharp engine benchmark — threads \(Parallel.threads), median of \(repeats) runs")
    print(BLAS.configuration)
}

// `--full`: the full-size models at batch 16 on 3×224×224 (gradient in training mode; exact HVP
// from scratch in evaluation mode over the same 16 images in micro-batches of 4, as the scorer
// runs it under its memory cap: a whole batch's graph of 16 would need 10–20 GB) and the peak
// resident memory of the process, then stop.
let only = arguments.firstIndex(of: "--models").map { arguments[$0 + 1].split(separator: ",").map(String.init) }
if arguments.contains("--full") {
    for name in only ?? Workloads.fullNames {
        let network = Workloads.network(name)
        let (p, v) = (network.model.parameters, network.direction)
        let gradient = Timing.median(repeats: repeats) { _ = try! valueAndGradient(at: p, of: network.trainingLoss) }
        let micro = (0..<4).map { k in
            (input: network.input.sliced(axis: 0, start: 4 * k, count: 4), labels: Array(network.labels[(4 * k)..<(4 * k + 4)]))
        }
        let fresh = Timing.median(repeats: repeats) {
            for m in micro {
                _ = try! hessianVectorProduct(at: p, vector: v) { q in
                    network.model.logits(Var(m.input), parameters: q, mode: .evaluation).logits.crossEntropy(labels: m.labels)
                }
            }
        }
        report("full_\(name)_gradient_ms", "\(name) b16 3×224² gradient", gradient * 1e3, "ms")
        report("full_\(name)_hvp_fresh_ms", "\(name) b16 3×224² HVP from scratch (eval mode, 4 × 4 images)", fresh * 1e3, "ms")
        report("full_\(name)_hvp_fresh_ratio", "\(name) HVP from scratch / gradient (must ≤ 2.5)", fresh / gradient, "×")
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    report("full_peak_rss_mb", "peak resident memory of the whole run", Double(usage.ru_maxrss) / 1024, "MB")
    if json { print(JSONValue.object(Dictionary(uniqueKeysWithValues: rows.map { ($0.0, .number($0.1)) })).text) }
    exit(0)
}

// sgemm, square 1024.
do {
    var rng = RandomGenerator(seed: 7)
    let n = 1024
    let a = rng.normal(shape: [n, n])
    let b = rng.normal(shape: [n, n])
    let t = Timing.median(repeats: repeats) { _ = a.matmul(b) }
    report("sgemm_gflops", "sgemm 1024³", 2 * pow(Double(n), 3) / t / 1e9, "GFLOP/s")
}
let sgemm = rows.last!.1
if arguments.contains("--shapes") {
    var rng = RandomGenerator(seed: 3)
    for (m, n, k, ta) in [(32, 4096, 144, false), (4096, 32, 144, false), (144, 4096, 32, true), (32, 144, 4096, false)] {
        let a = rng.normal(shape: ta ? [k, m] : [m, k]); let b = rng.normal(shape: [k, n])
        let c = Tensor(zeros: [m, n])
        let t = Timing.median(repeats: 21) {
            BLAS.gemm(Float.self, transposeA: ta, transposeB: false, m: m, n: n, k: k, a: a.pointer(Float.self), lda: ta ? m : k,
                b: b.pointer(Float.self), ldb: n, c: c.pointer(Float.self), ldc: n, parallel: false)
        }
        report("gemm_shape_\(m)_\(n)_\(k)", "1-thread sgemm m\(m) n\(n) k\(k) tA=\(ta)", 2.0 * Double(m * n * k) / t / 1e9, "GFLOP/s")
    }
    let x = rng.normal(shape: [1, 16, 64, 64]); let w = rng.normal(shape: [32, 16, 3, 3])
    let t = Timing.median(repeats: 21) { _ = x.conv2d(w, options: .init(stride: 1, padding: 1)) }
    report("conv_one_image_gflops", "1-image conv 16→32 64² (split GEMM; direct with 1 thread)", 2.0 * 32 * 4096 * 144 / t / 1e9, "GFLOP/s")
    exit(0)
}

// conv2d forward + both backward passes on the shape: x 16×16×64×64, 3×3, 16→32, pad 1.
do {
    var rng = RandomGenerator(seed: 8)
    let x = rng.normal(shape: [16, 16, 64, 64])
    let w = rng.normal(shape: [32, 16, 3, 3])
    let options = ConvolutionOptions(stride: 1, padding: 1)
    let flops = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: (1, 1), padding: (1, 1), groups: 1).forwardFLOPs
    let g = x.conv2d(w, options: options)
    let forward = Timing.median(repeats: repeats) { _ = x.conv2d(w, options: options) }
    let backwardInput = Timing.median(repeats: repeats) { _ = g.conv2dBackwardInput(w, inputShape: x.shape, options: options) }
    let backwardWeight = Timing.median(repeats: repeats) { _ = x.conv2dBackwardWeight(g, weightShape: w.shape, options: options) }
    report("conv_forward_gflops", "conv2d 16×16×64×64 3×3 16→32 forward", flops / forward / 1e9, "GFLOP/s")
    report("conv_backward_input_gflops", "conv2d backward-input", flops / backwardInput / 1e9, "GFLOP/s")
    report("conv_backward_weight_gflops", "conv2d backward-weight", flops / backwardWeight / 1e9, "GFLOP/s")
    let total = 3 * flops / (forward + backwardInput + backwardWeight) / 1e9
    report("conv_total_gflops", "conv2d forward+backward", total, "GFLOP/s")
    report("conv_fraction_of_sgemm", "conv2d forward+backward / sgemm (goal ≥ 0.60)", total / sgemm, "×")
}

// Per zoo model at batch 16: forward, gradient, exact HVP (fresh and with the linearization
// reused) and one SAM step (2 gradients + Adam), 2 threads by default.
// Plugins are found next to this executable (tools/bench builds them with `swift build -c release`).
let registry = PluginRegistry()
for name in only ?? Workloads.names {
    let network = Workloads.network(name)
    let (p, v) = (network.model.parameters, network.direction)
    let forward = Timing.median(repeats: repeats) { _ = network.model.predict(network.input, mode: .training) }
    let gradient = Timing.median(repeats: repeats) { _ = try! valueAndGradient(at: p, of: network.trainingLoss) }
    let fresh = Timing.median(repeats: repeats) { _ = try! hessianVectorProduct(at: p, vector: v, of: network.evaluationLoss) }
    let linearization = try! Linearization(at: p, of: network.evaluationLoss)
    let reused = Timing.median(repeats: repeats) { _ = linearization.hessianVectorProduct(v) }
    // The arithmetic of one of each (GEMM and convolution multiply-adds), once more untimed.
    let multiplyAdds = { (body: () -> Void) -> Double in
        let before = MultiplyAddCount.total
        body()
        return Double(MultiplyAddCount.total - before)
    }
    let gradientWork = multiplyAdds { _ = try! valueAndGradient(at: p, of: network.trainingLoss) }
    let freshWork = multiplyAdds { _ = try! hessianVectorProduct(at: p, vector: v, of: network.evaluationLoss) }
    let reusedWork = multiplyAdds { _ = linearization.hessianVectorProduct(v) }
    let sam = try! Workloads.SAMStep(network: network, registry: registry)
    // The optimizer's own cost, measured inside each step: wall time minus the time spent in the
    // gradient oracle (the trainer's GradientEvaluator: forward, backward, gradient copied out).
    var outside: [Double] = []
    let samStep = Timing.median(repeats: repeats) {
        let (step, gradients) = try! sam(network)
        outside.append((step - gradients) / gradients)
    }
    outside = outside.dropFirst().sorted()  // the first call was Timing's warm-up
    report("\(name)_forward_ms", "\(name) b16 forward (training mode)", forward * 1e3, "ms")
    report("\(name)_gradient_ms", "\(name) b16 gradient", gradient * 1e3, "ms")
    report("\(name)_hvp_fresh_ms", "\(name) b16 HVP from scratch (eval mode)", fresh * 1e3, "ms")
    report("\(name)_hvp_reused_ms", "\(name) b16 HVP, linearization reused", reused * 1e3, "ms")
    report("\(name)_sam_step_ms", "\(name) b16 SAM step (2 gradients + Adam)", samStep * 1e3, "ms")
    report("\(name)_hvp_fresh_ratio", "\(name) HVP from scratch / gradient (must ≤ 2.0)", fresh / gradient, "×")
    report("\(name)_hvp_reused_ratio", "\(name) HVP reused / gradient (must ≤ 1.5)", reused / gradient, "×")
    report("\(name)_hvp_fresh_work_ratio", "\(name) HVP from scratch / gradient, multiply-adds", freshWork / gradientWork, "×")
    report("\(name)_hvp_reused_work_ratio", "\(name) HVP reused / gradient, multiply-adds", reusedWork / gradientWork, "×")
    report("\(name)_sam_overhead", "\(name) SAM step / 2 separate gradients − 1", samStep / (2 * gradient) - 1, "×")
    report("\(name)_sam_optimizer_share", "\(name) SAM step outside its 2 passes (goal < 5%)", outside[outside.count / 2], "×")
}

if json {
    print(JSONValue.object(Dictionary(uniqueKeysWithValues: rows.map { ($0.0, .number($0.1)) })).text)
}
