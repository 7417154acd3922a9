/// What BoringSSL makes of a `tls-ciphers` value (its `SSL_CTX_set_cipher_list`, non-strict).
///
/// NIOSSL hands the string to BoringSSL and stops the process (a precondition) when BoringSSL
/// refuses it, so the value is checked here first, with BoringSSL's rules: the OpenSSL
/// cipher-list syntax (`:`, `,`, `;` or blank separators; `!`, `-`, `+` prefixes; `A+B`
/// intersections; `@STRENGTH`; `[A|B]` equal-preference groups; a leading `DEFAULT`), cipher
/// names in OpenSSL or IANA spelling, and BoringSSL's aliases. Names BoringSSL does not know
/// (`MEDIUM`, DHE suites, ...) are skipped, as BoringSSL skips them; the value is refused when
/// the syntax is wrong or when no TLS 1.2-and-below cipher is left.
enum TLSCipherList {
    // Bits of the four cipher attributes BoringSSL's aliases select on.
    private static let kRSA: UInt32 = 1, kECDHE: UInt32 = 2, kPSK: UInt32 = 4
    private static let aRSASign: UInt32 = 1, aRSADecrypt: UInt32 = 2, aECDSA: UInt32 = 4, aPSK: UInt32 = 8
    private static let e3DES: UInt32 = 1, eAES128: UInt32 = 2, eAES256: UInt32 = 4, eAES128GCM: UInt32 = 8
    private static let eAES256GCM: UInt32 = 16, eCHACHA: UInt32 = 32
    private static let mSHA1: UInt32 = 1, mSHA256: UInt32 = 2, mAEAD: UInt32 = 4
    private static let all: UInt32 = ~0

    private struct Cipher {
        var name: String
        var standardName: String
        var mkey: UInt32
        var auth: UInt32
        var enc: UInt32
        var mac: UInt32
        /// TLS 1.2-only (its PRF is SHA-256/384) rather than usable from SSLv3 on.
        var tls12: Bool
    }

    /// BoringSSL's TLS 1.2-and-below ciphers (its `kCiphers` without the TLS 1.3 suites).
    private static let ciphers: [Cipher] = [
        Cipher(name: "DES-CBC3-SHA", standardName: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", mkey: kRSA, auth: aRSADecrypt, enc: e3DES, mac: mSHA1, tls12: false),
        Cipher(name: "AES128-SHA", standardName: "TLS_RSA_WITH_AES_128_CBC_SHA", mkey: kRSA, auth: aRSADecrypt, enc: eAES128, mac: mSHA1, tls12: false),
        Cipher(name: "AES256-SHA", standardName: "TLS_RSA_WITH_AES_256_CBC_SHA", mkey: kRSA, auth: aRSADecrypt, enc: eAES256, mac: mSHA1, tls12: false),
        Cipher(name: "PSK-AES128-CBC-SHA", standardName: "TLS_PSK_WITH_AES_128_CBC_SHA", mkey: kPSK, auth: aPSK, enc: eAES128, mac: mSHA1, tls12: false),
        Cipher(name: "PSK-AES256-CBC-SHA", standardName: "TLS_PSK_WITH_AES_256_CBC_SHA", mkey: kPSK, auth: aPSK, enc: eAES256, mac: mSHA1, tls12: false),
        Cipher(name: "AES128-GCM-SHA256", standardName: "TLS_RSA_WITH_AES_128_GCM_SHA256", mkey: kRSA, auth: aRSADecrypt, enc: eAES128GCM, mac: mAEAD, tls12: true),
        Cipher(name: "AES256-GCM-SHA384", standardName: "TLS_RSA_WITH_AES_256_GCM_SHA384", mkey: kRSA, auth: aRSADecrypt, enc: eAES256GCM, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-ECDSA-AES128-SHA", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", mkey: kECDHE, auth: aECDSA, enc: eAES128, mac: mSHA1, tls12: false),
        Cipher(name: "ECDHE-ECDSA-AES256-SHA", standardName: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", mkey: kECDHE, auth: aECDSA, enc: eAES256, mac: mSHA1, tls12: false),
        Cipher(name: "ECDHE-RSA-AES128-SHA", standardName: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", mkey: kECDHE, auth: aRSASign, enc: eAES128, mac: mSHA1, tls12: false),
        Cipher(name: "ECDHE-RSA-AES256-SHA", standardName: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", mkey: kECDHE, auth: aRSASign, enc: eAES256, mac: mSHA1, tls12: false),
        Cipher(name: "ECDHE-ECDSA-AES128-SHA256", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", mkey: kECDHE, auth: aECDSA, enc: eAES128, mac: mSHA256, tls12: true),
        Cipher(name: "ECDHE-RSA-AES128-SHA256", standardName: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", mkey: kECDHE, auth: aRSASign, enc: eAES128, mac: mSHA256, tls12: true),
        Cipher(name: "ECDHE-ECDSA-AES128-GCM-SHA256", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", mkey: kECDHE, auth: aECDSA, enc: eAES128GCM, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-ECDSA-AES256-GCM-SHA384", standardName: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", mkey: kECDHE, auth: aECDSA, enc: eAES256GCM, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-RSA-AES128-GCM-SHA256", standardName: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", mkey: kECDHE, auth: aRSASign, enc: eAES128GCM, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-RSA-AES256-GCM-SHA384", standardName: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", mkey: kECDHE, auth: aRSASign, enc: eAES256GCM, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-PSK-AES128-CBC-SHA", standardName: "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", mkey: kECDHE, auth: aPSK, enc: eAES128, mac: mSHA1, tls12: false),
        Cipher(name: "ECDHE-PSK-AES256-CBC-SHA", standardName: "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", mkey: kECDHE, auth: aPSK, enc: eAES256, mac: mSHA1, tls12: false),
        Cipher(name: "ECDHE-RSA-CHACHA20-POLY1305", standardName: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", mkey: kECDHE, auth: aRSASign, enc: eCHACHA, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-ECDSA-CHACHA20-POLY1305", standardName: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", mkey: kECDHE, auth: aECDSA, enc: eCHACHA, mac: mAEAD, tls12: true),
        Cipher(name: "ECDHE-PSK-CHACHA20-POLY1305", standardName: "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", mkey: kECDHE, auth: aPSK, enc: eCHACHA, mac: mAEAD, tls12: true),
    ]

    private struct Alias {
        var mkey = all, auth = all, enc = all, mac = all
        /// 0: any; 1: SSLv3-era ciphers only; 2: TLS 1.2-only ciphers only.
        var minVersion = 0
        var includeDeprecated = false
    }

    /// BoringSSL's `kCipherAliases` (names are case-sensitive there too).
    private static let aliases: [String: Alias] = {
        var table: [String: Alias] = [:]
        table["ALL"] = Alias()
        for name in ["kRSA"] { table[name] = Alias(mkey: kRSA) }
        for name in ["kECDHE", "kEECDH", "ECDH", "ECDHE", "EECDH"] { table[name] = Alias(mkey: kECDHE) }
        table["kPSK"] = Alias(mkey: kPSK)
        table["aRSA"] = Alias(auth: aRSASign | aRSADecrypt)
        table["aECDSA"] = Alias(auth: aECDSA)
        table["ECDSA"] = Alias(auth: aECDSA)
        table["aPSK"] = Alias(auth: aPSK)
        table["RSA"] = Alias(mkey: kRSA, auth: aRSASign | aRSADecrypt)
        table["PSK"] = Alias(mkey: kPSK, auth: aPSK)
        table["3DES"] = Alias(enc: e3DES, includeDeprecated: true)
        table["AES128"] = Alias(enc: eAES128 | eAES128GCM)
        table["AES256"] = Alias(enc: eAES256 | eAES256GCM)
        table["AES"] = Alias(enc: eAES128 | eAES256 | eAES128GCM | eAES256GCM)
        table["AESGCM"] = Alias(enc: eAES128GCM | eAES256GCM)
        table["CHACHA20"] = Alias(enc: eCHACHA)
        table["SHA1"] = Alias(mac: mSHA1)
        table["SHA"] = Alias(mac: mSHA1)
        table["SSLv3"] = Alias(minVersion: 1)
        table["TLSv1"] = Alias(minVersion: 1)
        table["TLSv1.2"] = Alias(minVersion: 2)
        table["HIGH"] = Alias()
        table["FIPS"] = Alias()
        return table
    }()

    private enum Rule { case add, delete, kill, order, special }

    /// Why BoringSSL would refuse `text`, or nil when it yields at least one cipher.
    static func problem(in text: String) -> String? {
        var active = Set<Int>()
        var killed = Set<Int>()
        var rest = Substring(text)
        if rest.hasPrefix("DEFAULT") {
            if let error = process("ALL", &active, &killed) { return error }
            rest = rest.dropFirst(7)
            if rest.first == ":" { rest = rest.dropFirst() }
        }
        if !rest.isEmpty, let error = process(rest, &active, &killed) { return error }
        return active.isEmpty ? "no cipher matched (BoringSSL knows \(ciphers.map(\.name).joined(separator: ":")))" : nil
    }

    /// BoringSSL's `ssl_cipher_process_rulestr` on membership only (order does not decide
    /// whether the list is empty).
    private static func process(_ text: Substring, _ active: inout Set<Int>, _ killed: inout Set<Int>) -> String? {
        let chars = Array(text.utf8)
        var i = 0
        var inGroup = false
        var hasGroup = false
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x2e
                || c == 0x5f
        }
        func isAlnum(_ c: UInt8) -> Bool { isNameByte(c) && c != 0x2d && c != 0x2e && c != 0x5f }
        func isSeparator(_ c: UInt8) -> Bool { c == 0x3a || c == 0x20 || c == 0x3b || c == 0x2c }
        while i < chars.count {
            let c = chars[i]
            var rule = Rule.add
            if inGroup {
                if c == UInt8(ascii: "]") {
                    inGroup = false
                    i += 1
                    continue
                }
                if c == UInt8(ascii: "|") {
                    i += 1
                    continue
                }
                guard isAlnum(c) else { return "unexpected operator in group" }
            } else {
                switch c {
                case UInt8(ascii: "-"): rule = .delete; i += 1
                case UInt8(ascii: "+"): rule = .order; i += 1
                case UInt8(ascii: "!"): rule = .kill; i += 1
                case UInt8(ascii: "@"): rule = .special; i += 1
                case UInt8(ascii: "["):
                    inGroup = true
                    hasGroup = true
                    i += 1
                    continue
                default: break
                }
            }
            if hasGroup && rule != .add { return "operators cannot be mixed with [groups]" }
            if i < chars.count, isSeparator(chars[i]) {
                i += 1
                continue
            }
            var multi = false
            var cipher: Int? = nil
            var alias = Alias()
            alias.includeDeprecated = rule != .add
            var skip = false
            var word = ""
            while true {
                let start = i
                while i < chars.count, isNameByte(chars[i]) { i += 1 }
                guard i > start else { return "invalid command" }
                word = String(decoding: chars[start..<i], as: UTF8.self)
                if rule == .special { break }
                let next: UInt8? = i < chars.count ? chars[i] : nil
                if !multi, next != UInt8(ascii: "+") {
                    cipher = ciphers.firstIndex { $0.name == word || $0.standardName == word }
                }
                if cipher == nil {
                    if let found = aliases[word] {
                        alias.mkey &= found.mkey
                        alias.auth &= found.auth
                        alias.enc &= found.enc
                        alias.mac &= found.mac
                        alias.includeDeprecated = alias.includeDeprecated || found.includeDeprecated
                        if alias.minVersion != 0 && alias.minVersion != found.minVersion {
                            skip = true
                        } else {
                            alias.minVersion = found.minVersion
                        }
                    } else {
                        skip = true
                    }
                }
                guard next == UInt8(ascii: "+") else { break }
                i += 1
                multi = true
            }
            if rule == .special {
                guard word == "STRENGTH" else { return "invalid command '@\(word)'" }
                while i < chars.count, !isSeparator(chars[i]) { i += 1 }
                continue
            }
            if skip { continue }
            for (index, candidate) in ciphers.enumerated() where !killed.contains(index) {
                if let cipher {
                    guard cipher == index else { continue }
                } else {
                    let version = candidate.tls12 ? 2 : 1
                    guard alias.mkey & candidate.mkey != 0, alias.auth & candidate.auth != 0,
                        alias.enc & candidate.enc != 0, alias.mac & candidate.mac != 0,
                        alias.minVersion == 0 || alias.minVersion == version,
                        alias.includeDeprecated || candidate.enc != e3DES
                    else { continue }
                }
                switch rule {
                case .add: active.insert(index)
                case .delete: active.remove(index)
                case .kill:
                    active.remove(index)
                    killed.insert(index)
                case .order, .special: break
                }
            }
        }
        return inGroup ? "unterminated [group]" : nil
    }
}
