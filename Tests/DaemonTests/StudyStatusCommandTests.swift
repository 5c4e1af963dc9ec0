import Foundation
import Testing

/// `sharp study --status` on a store without that study says so in one line and exits 1, rather
/// than listing every cell as not started (a mistyped --store would look like an empty grid).
/// (Here because DaemonHarness runs the built executables.)
struct StudyStatusCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func aMissingStudyIsAnErrorNamingTheFolder() throws {
        let h = try DaemonHarness("status")
        guard h.hasExecutables else { return }
        let (status, output) = try h.run("sharp", ["study", "--preset", "quick", "--store", "nowhere", "--status"])
        #expect(status == 1, "\(output)")
        #expect(output.contains("no study 'quick' in nowhere") && output.contains("starts it"), "\(output)")
        #expect(output.split(separator: "\n").count == 1, "one line:\n\(output)")
    }
}
