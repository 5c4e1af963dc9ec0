import Foundation

/// Test plugins written in C against sharp_plugin.h and compiled at test time with the toolchain's
/// clang: a working one ("c-sgd", plain SGD), broken ones for each refusal the host makes, and
/// variants by define:
/// - `FIXTURE_WRAPPER`: a wrapper (one clean pass, then the base steps along the gradient) without
///   a perturbation, like Lookahead; with `FIXTURE_PERTURB` it has one, e = 0;
/// - `FIXTURE_HIDDEN_STATE`: heavy-ball momentum that `save_state` never sees (state not restored);
/// - `FIXTURE_NAME="..."`, `FIXTURE_SCHEMA="..."`, `FIXTURE_OUTPUTS="..."`: another name,
///   hyperparameter schema, or declared outputs (`outputs_json`).
public enum CFixture {
    static let source = #"""
    #include "sharp_plugin.h"
    #include <stdlib.h>
    #include <stdio.h>
    #include <string.h>
    #ifndef FIXTURE_NAME
    #define FIXTURE_NAME "c-sgd"
    #endif
    #ifndef FIXTURE_OUTPUTS
    #define FIXTURE_OUTPUTS NULL
    #endif
    #ifndef FIXTURE_SCHEMA
    #define FIXTURE_SCHEMA "{\"type\":\"object\",\"properties\":{\"lr\":{\"type\":\"number\",\"default\":0.1}}}"
    #endif
    #ifndef FIXTURE_ABI
    #define FIXTURE_ABI SHARP_PLUGIN_ABI_VERSION
    #endif
    #ifndef FIXTURE_TOOLCHAIN
    #define FIXTURE_TOOLCHAIN SHARP_PLUGIN_TOOLCHAIN
    #endif
    #ifdef FIXTURE_FOREIGN_COMMENT
    __asm__(".section .comment,\"MS\",@progbits,1\n.asciz \"clang version 99.0.0 (https://github.com/swiftlang/llvm-project.git deadbeef)\"\n.previous");
    #endif
    #ifdef FIXTURE_MARKER
    __attribute__((constructor)) static void loaded(void) { FILE *f = fopen(FIXTURE_MARKER, "w"); if (f) fclose(f); }
    #endif
    typedef struct { int64_t n; double *velocity; } state_t;
    static int32_t create(const sharp_layout_v1 *l, const char *json, void **out, sharp_message_v1 *e) {
        (void)json; (void)e; state_t *s = malloc(sizeof *s); s->n = l->parameter_count;
        s->velocity = calloc((size_t)(s->n > 0 ? s->n : 1), sizeof(double)); *out = s; return SHARP_OK;
    }
    static void destroy(void *st) { state_t *s = st; free(s->velocity); free(s); }
    static int32_t apply(void *st, const sharp_apply_context_v1 *c, sharp_message_v1 *e) {
        state_t *s = st; (void)e;
        for (int64_t i = 0; i < c->parameter_count; i++) {
            double d = c->dtype == SHARP_DTYPE_FLOAT64 ? ((const double *)c->direction)[i] : ((const float *)c->direction)[i];
    #ifdef FIXTURE_HIDDEN_STATE
            s->velocity[i] = 0.9 * s->velocity[i] + d; d = s->velocity[i];
    #else
            (void)s;
    #endif
            if (c->dtype == SHARP_DTYPE_FLOAT64) ((double *)c->parameters)[i] -= c->learning_rate * d;
            else ((float *)c->parameters)[i] -= (float)c->learning_rate * (float)d;
        }
        return SHARP_OK;
    }
    static int32_t step(void *st, const sharp_step_context_v1 *c, sharp_step_result_v1 *r, sharp_message_v1 *e) {
        state_t *s = st;
        void *g = malloc((size_t)(s->n > 0 ? s->n : 1) * (c->dtype == SHARP_DTYPE_FLOAT64 ? 8 : 4));
        double loss = 0;
        if (c->loss_and_gradient(c->oracle_user_data, c->parameters, g, &loss, SHARP_PASS_UPDATE_STATISTICS) != SHARP_OK) {
            free(g); return SHARP_ERROR_CALLBACK;
        }
        sharp_apply_context_v1 a = { SHARP_PLUGIN_ABI_VERSION, c->dtype, c->parameters, g, c->parameter_count, c->learning_rate, c->step, c->epoch };
    #ifdef FIXTURE_WRAPPER
        int32_t status = c->base.apply(c->base.state, &a, e);
    #else
        int32_t status = apply(st, &a, e);
    #endif
        free(g);
        r->loss = loss; r->gradient_norm = 0.0 / 0.0;
        return status;
    }
    #ifdef FIXTURE_PERTURB
    static int32_t perturb(void *st, const sharp_step_context_v1 *c, void *out, sharp_step_result_v1 *r, sharp_message_v1 *e) {
        (void)st; (void)e;
        memset(out, 0, (size_t)c->parameter_count * (c->dtype == SHARP_DTYPE_FLOAT64 ? 8 : 4));
        if (r) { r->loss = 0.0 / 0.0; r->gradient_norm = 0.0 / 0.0; }
        return SHARP_OK;
    }
    #define FIXTURE_PERTURB_ENTRY perturb
    #else
    #define FIXTURE_PERTURB_ENTRY NULL
    #endif
    #ifdef FIXTURE_WRAPPER
    static const sharp_optimizer_vtable_v1 table = {
        SHARP_PLUGIN_ABI_VERSION, SHARP_OPTIMIZER_WRAPS_BASE | SHARP_OPTIMIZER_FLOAT32 | SHARP_OPTIMIZER_FLOAT64, 1, 0, "sgd",
        create, destroy, step, NULL, FIXTURE_PERTURB_ENTRY, NULL, NULL };
    #else
    static const sharp_optimizer_vtable_v1 table = {
        SHARP_PLUGIN_ABI_VERSION, SHARP_OPTIMIZER_CAN_BE_BASE | SHARP_OPTIMIZER_FLOAT32 | SHARP_OPTIMIZER_FLOAT64, 1, 0, NULL,
        create, destroy, step, apply, FIXTURE_PERTURB_ENTRY, NULL, NULL };
    #endif
    static const sharp_plugin_descriptor_v1 descriptor = {
        FIXTURE_ABI, SHARP_PLUGIN_KIND_OPTIMIZER, FIXTURE_NAME, "0.0.1", "plain SGD written in C (test fixture)",
        FIXTURE_SCHEMA, FIXTURE_TOOLCHAIN, &table, NULL, FIXTURE_OUTPUTS, {0} };
    #if defined(FIXTURE_ENTRY_V2)
    const sharp_plugin_descriptor_v1 *sharp_plugin_entry_v2(void) { return &descriptor; }
    #elif defined(FIXTURE_NO_ENTRY)
    int not_a_plugin(void) { return descriptor.abi_version; }
    #else
    const sharp_plugin_descriptor_v1 *sharp_plugin_entry_v1(void) { return &descriptor; }
    #endif
    """#

    /// The package root (this file is Tests/TestSupport/CFixture.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The toolchain's clang (next to swift), else the first clang on PATH.
    static var clang: String {
        let candidates = ["/opt/swift/usr/bin/clang"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/clang" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "clang"
    }

    /// Compiles the fixture with `defines` into `directory/lib<name>.so` and returns its path.
    public static func build(_ name: String, in directory: String, defines: [String] = [], flags: [String] = []) throws -> String {
        let sourcePath = "\(directory)/\(name).c", output = "\(directory)/lib\(name).so"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: clang)
        process.arguments = ["-shared", "-fPIC", "-O1", "-I", "\(packageRoot)/Sources/CSharpPlugin/include"] + flags
            + defines.map { "-D" + $0 } + [sourcePath, "-o", output]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: output]) }
        return output
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "sharp-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
