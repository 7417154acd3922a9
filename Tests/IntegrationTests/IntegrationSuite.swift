import Testing

/// All integration suites are nested in this one so that they run one after another: each
/// starts a cluster of real processes, and timing assertions (discovery within 2 s) must not
/// compete for the 2 cores with another cluster.
@Suite("Integration", .serialized)
enum Integration {}
