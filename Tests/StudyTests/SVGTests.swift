import Foundation
import Testing

@testable import Charts
@testable import Study

/// The hand-written SVG: well-formed XML (Foundation's XMLParser), with the series, bars and
/// labels asked for, and sensible ticks.
struct SVGTests {
    @Test func lineChartIsWellFormedAndHasEverySeries() throws {
        var svg = SVGDocument(width: 400, height: 300)
        let chart = LineChart(
            title: "a < b & \"c\"", x: PlotAxis(label: "x", lower: 0, upper: 10), y: PlotAxis(label: "y", lower: 0, upper: 1),
            series: [
                .init(name: "adam", color: "#555555", points: [(0, 0.1), (5, 0.5), (10, 0.9)]),
                .init(name: "sam", color: "#1f77b4", dash: "6 3", points: [(0, 0.2), (5, .nan), (10, 0.3), (11, 0.4)]),
            ])
        chart.draw(into: &svg, frame: PlotFrame(x: 60, y: 30, width: 300, height: 200))
        let text = svg.text
        #expect(StudyFixtures.xmlError(text) == nil, "\(StudyFixtures.xmlError(text) ?? "")")
        #expect(text.contains("a &lt; b &amp; &quot;c&quot;"))
        #expect(text.components(separatedBy: "data-series=\"adam\"").count - 1 == 1)
        // The NaN splits sam's line; the lone point before it draws no segment, the two after it do.
        #expect(text.components(separatedBy: "data-series=\"sam\"").count - 1 == 1)
        let elements = StudyFixtures.elements(text)
        #expect(elements.first == "svg" && elements.contains("clipPath") && elements.contains("polyline"))
    }

    @Test func barChartDrawsOneBarPerValueWithErrorBars() {
        var svg = SVGDocument(width: 500, height: 300)
        let chart = BarChart(
            title: "acc", groups: ["vgg-mini", "resnet-mini"], seriesNames: ["adam", "sam"], colors: ["#555555", "#1f77b4"],
            bars: [[.init(value: 80, low: 75, high: 85), .init(value: 85)], [nil, .init(value: 70, low: 60, high: 80)]],
            y: PlotAxis(label: "%", lower: 0, upper: 100))
        chart.draw(into: &svg, frame: PlotFrame(x: 60, y: 30, width: 300, height: 200))
        let text = svg.text
        #expect(StudyFixtures.xmlError(text) == nil)
        #expect(text.contains("<!-- bar vgg-mini adam = 80.0 -->") && text.contains("<!-- bar resnet-mini sam = 70.0 -->"))
        #expect(!text.contains("bar resnet-mini adam"))
        #expect(text.contains(">vgg-mini</text>") && text.contains(">resnet-mini</text>"))
    }

    @Test func heatmapHasCellsContoursAndAColourBar() {
        let axis = [-1.0, 0, 1]
        let z = axis.map { b in axis.map { a in a * a + b * b } }
        var map = Heatmap(title: "surface", x: axis, y: axis, z: z, xLabel: "α", yLabel: "β", zLabel: "loss")
        map.levels = [0.5, 1.5]
        var svg = SVGDocument(width: 500, height: 400)
        map.draw(into: &svg, frame: PlotFrame(x: 60, y: 40, width: 300, height: 300))
        let text = svg.text
        #expect(StudyFixtures.xmlError(text) == nil)
        #expect(text.contains(Colormap.viridis(0)) && text.contains(Colormap.viridis(1)))
        // The 0.5 level crosses each of the four cells around the centre once.
        #expect(Contours.segments(x: axis, y: axis, z: z, level: 0.5).count == 4)
    }

    @Test func ticksAreNiceAndCoverTheRange() {
        let axis = PlotAxis.fitting([0.13, 0.87], label: "")
        #expect(axis.lower == 0 && abs(axis.upper - 1) < 1e-12)
        #expect(axis.ticks.map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let log = PlotAxis.fitting([3e-5, 0.2], label: "", scale: .log10)
        #expect(abs(log.lower / 1e-5 - 1) < 1e-12 && log.upper == 1)
        #expect(log.ticks.map(\.label) == ["1e-5", "1e-4", "0.001", "0.01", "0.1", "1"])
        #expect(PlotAxis.niceStep(0.27) == 0.5 && PlotAxis.niceStep(3) == 5 && PlotAxis.niceStep(1) == 1)
        #expect(PlotAxis.label(2.5e6, step: 1e6) == "2.5e6")
    }
}
