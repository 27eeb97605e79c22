import TandemCore
import Testing

@Suite("MetricHelp: # HELP lines added to the exposition")
struct MetricHelpTests {
    @Test(
        "a known family gets its help before its TYPE line; a described or unknown one is left; nothing else changes",
        arguments: [
            (
                "# TYPE tandem_heartbeats_total counter\ntandem_heartbeats_total 3\n",
                "# HELP tandem_heartbeats_total Heartbeats written.\n# TYPE tandem_heartbeats_total counter\ntandem_heartbeats_total 3\n"
            ),
            (
                "# HELP tandem_heartbeats_total Own.\n# TYPE tandem_heartbeats_total counter\ntandem_heartbeats_total 3\n",
                "# HELP tandem_heartbeats_total Own.\n# TYPE tandem_heartbeats_total counter\ntandem_heartbeats_total 3\n"
            ),
            ("# TYPE other_total counter\nother_total 1\n", "# TYPE other_total counter\nother_total 1\n"),
            ("", ""),
            (
                "# TYPE tandem_ha_split_groups gauge\ntandem_ha_split_groups{tenant=\"a\"} 0\n# TYPE x gauge\nx 1",
                "# HELP tandem_ha_split_groups HA groups whose active members are on different nodes, by tenant.\n"
                    + "# TYPE tandem_ha_split_groups gauge\ntandem_ha_split_groups{tenant=\"a\"} 0\n# TYPE x gauge\nx 1\n"
            ),
        ])
    func annotate(exposition: String, expected: String) {
        #expect(String(decoding: MetricHelp.annotate(Array(exposition.utf8)), as: UTF8.self) == expected)
    }

    @Test("every help text is one line of printable text ending in a full stop")
    func textsAreWellFormed() {
        for (name, text) in MetricHelp.texts {
            #expect(name.hasPrefix("tandem_"))
            #expect(!text.contains("\n") && !text.contains("\\") && text.hasSuffix("."), "\(name)")
        }
    }
}
