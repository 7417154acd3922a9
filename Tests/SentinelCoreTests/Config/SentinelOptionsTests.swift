import Testing

@testable import SentinelCore

/// The global options, one row each (Config/SentinelOptions.swift): the file, SENTINEL CONFIG
/// GET/SET and the rewrite read the same row.
@Suite("Sentinel options table")
struct SentinelOptionsTests {
    @Test("CONFIG GET lists Redis's parameters in Redis's order; the file knows the sentinel lines")
    func names() {
        #expect(
            SentinelOption.configurableNames == [
                "resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user",
                "sentinel-pass", "loglevel", "log-format",
            ])
        #expect(
            SentinelOption.fileNames == [
                "deny-scripts-reconfig", "resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port",
                "sentinel-user", "sentinel-pass",
            ])
        #expect(ConfigDirectives.preMonitor.isSuperset(of: SentinelOption.fileNames))
    }

    @Test("one check for the file and for CONFIG SET, with the file's messages")
    func checks() {
        let port = SentinelOption.named("ANNOUNCE-PORT")!
        #expect(port.accepts("65535") && !port.accepts("65536") && !port.accepts("x"))
        var config = SentinelConfig()
        #expect(port.load("70000", into: &config) == ConfigMessages.invalidPortNumber)
        let resolve = SentinelOption.named("resolve-hostnames")!
        #expect(resolve.accepts("YES") && !resolve.accepts("1"))
        #expect(resolve.load("maybe", into: &config) == ConfigMessages.resolveHostnamesYesNo)
        #expect(SentinelOption.named("loglevel")!.accepts("debug") && !SentinelOption.named("loglevel")!.accepts("loud"))
        #expect(SentinelOption.named("LOG-FORMAT")!.accepts("JSON") && !SentinelOption.named("log-format")!.accepts("xml"))
    }

    @Test("a value set is shown, written unless it is the default, and read back the same")
    func roundTrip() throws {
        var config = SentinelConfig()
        for (name, value) in [
            ("deny-scripts-reconfig", "no"), ("resolve-hostnames", "yes"), ("announce-hostnames", "yes"),
            ("announce-ip", "10.0.0.1"), ("announce-port", "26000"), ("sentinel-user", "u"), ("sentinel-pass", "p"),
        ] {
            let row = try #require(SentinelOption.named(name))
            #expect(row.written(config) == nil, "\(name) at its default is not written")
            #expect(row.load(value, into: &config) == nil)
            #expect(row.written(config) == value)
            if row.configurable { #expect(row.shown(config) == value) }
        }
        let text = ConfigRewriter.rewrite(original: "", config: config)
        let loaded = try ConfigParser.parse(text, fileName: "sentinel.conf")
        for row in SentinelOption.all where row.inFile {
            #expect(row.written(loaded) == row.written(config), "\(row.name) survives the rewrite")
        }
        #expect(text.contains("sentinel announce-ip \"10.0.0.1\"\n"), "quoted as Redis writes it")
    }
}
