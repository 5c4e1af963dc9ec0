import Foundation
import Testing

@testable import Study

/// A cell as a training job: the spec a daemon trains from gives the same training
/// configuration as the study's own plan, and a spec from another format is refused.
struct StudyTrainingSpecTests {
    @Test func aCellsSpecRebuildsTheSameTrainingConfiguration() throws {
        var plan = StudyRunTests.tinyPlan()
        plan.seeds = [0, 18_446_744_073_709_551_615]  // a seed above Int64.max travels exactly
        plan.untilTrainAccuracy = 0.95
        let layout = StudyLayout(store: try StudyFixtures.temporaryDirectory(), name: plan.name)
        defer { try? FileManager.default.removeItem(atPath: layout.store) }
        let trainer = try StudyTrainer(plan: plan, layout: layout, registry: StudyRunTests.registry)
        for cell in plan.cells {
            let (one, decoded) = try StudyPlan.fromTrainingSpec(plan.trainingSpec(for: cell))
            #expect(decoded == cell)
            #expect(one.settingsJSON == plan.settingsJSON)
            let rebuilt = try StudyTrainer(plan: one, layout: layout, registry: StudyRunTests.registry)
            #expect("\(try rebuilt.configuration(for: decoded))" == "\(try trainer.configuration(for: cell))")
        }
    }

    @Test func aSpecOfAnotherFormatOrWithoutItsFieldsIsRefused() throws {
        #expect(throws: StudyError.self) { try StudyPlan.fromTrainingSpec(#"{"format":2,"study":"s"}"#) }
        #expect(throws: StudyError.self) { try StudyPlan.fromTrainingSpec(#"{"format":1,"study":"s"}"#) }
        #expect(throws: StudyError.self) { try StudyPlan.fromTrainingSpec("not json") }
    }
}
