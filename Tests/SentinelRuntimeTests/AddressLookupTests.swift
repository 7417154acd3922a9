import NIOCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one getaddrinfo wrapper behind `bind`, `bind-source-addr` and `resolve-hostnames`: the
/// family is honoured (an IPv6 literal does not resolve as IPv4, which is why Redis refuses
/// `bind [::1]`), a passive lookup without a name is the wildcard, and a failure carries
/// gai_strerror's text.
@Suite("Address lookup")
struct AddressLookupTests {
    @Test("numeric text in the asked family; another family's literal fails")
    func numeric() throws {
        #expect(try AddressLookup.numericHost("127.0.0.1", family: AF_INET).get() == "127.0.0.1")
        #expect(try AddressLookup.numericHost("::1", family: AF_INET6).get() == "::1")
        guard case .failure(let failure) = AddressLookup.numericHost("::1", family: AF_INET) else {
            Issue.record("::1 resolved as IPv4")
            return
        }
        #expect(failure.status != 0 && !failure.reason.isEmpty)
    }

    @Test("a passive lookup without a name is the wildcard of the family, on the given port")
    func wildcard() throws {
        let v4 = try #require(try AddressLookup.socketAddress(nil, service: "6379", family: AF_INET, passive: true, named: "*").get())
        #expect(v4.ipAddress == "0.0.0.0" && v4.port == 6379)
        let v6 = try #require(try AddressLookup.socketAddress(nil, service: "6379", family: AF_INET6, passive: true, named: "::*").get())
        #expect(v6.ipAddress == "::" && v6.port == 6379)
    }

    @Test("a name that does not exist fails with gai_strerror's text")
    func missing() {
        guard case .failure(let failure) = AddressLookup.socketAddress("nonsense.invalid", family: AF_INET, named: "nonsense.invalid")
        else {
            Issue.record("nonsense.invalid resolved")
            return
        }
        #expect(failure.status == EAI_NONAME && failure.reason == "Name or service not known")
    }
}
