/// Error texts. Where Redis has a text for the same error, it is Redis's text.
enum ConfigMessages {
    static let unrecognizedSentinel = "Unrecognized sentinel configuration statement."
    static let badDirective = "Bad directive or wrong number of arguments"
    static let wrongArgumentCount = "wrong number of arguments"
    static let unbalancedQuotes = "Unbalanced quotes in configuration line"
    static let quorum = "Quorum must be 1 or greater."
    static let duplicateMaster = "Duplicate master name."
    static let invalidPortNumber = "Invalid port number."
    static let cantResolve = "Can't resolve instance hostname."
    static let nonPositiveTime = "negative or zero time parameter."
    static let negativeTime = "negative time parameter."
    static let noSuchMaster = "No such master with specified name."
    static let duplicateReplica = "Duplicate hostname and port for replica."
    static let duplicateSentinel = "Duplicate runid for sentinel."
    static let renamedTwice = "Same command renamed multiple times with rename-command."
    static let malformedID = "Malformed Sentinel id in myid option."
    static let denyScriptsYesNo = "Please specify yes or no for the deny-scripts-reconfig options."
    static let resolveHostnamesYesNo = "Please specify yes or no for the resolve-hostnames option."
    static let bufferLimitArgumentCount = "Wrong number of arguments in buffer limit configuration."
    static let bufferLimitClass = "Invalid client class specified in buffer limit configuration."
    static let bufferLimitValues = "Error in hard, soft or soft_seconds setting in buffer limit configuration."
    static let announceHostnamesYesNo = "Please specify yes or no for the announce-hostnames option."
    static let invalidMasterName = "Master name can't be empty or contain spaces or commas."
    static let invalidNumber = "Invalid numeric argument."
    /// The last field of a `coordinated-failover` record (swift-sentinel's own).
    static let unknownHandoverMethod = "Unknown coordinated failover method: it must be 'failover' or 'pause-switch'."
    /// redis-sentinel 7.0.15 takes any text here (`strtoull`: `-1` is 2^64-1, garbage is 0); an
    /// epoch outside the signed 64-bit range would stop every failover, so it is refused.
    static let invalidEpoch = "Invalid epoch: it must be an integer from 0 to \(Epoch.max) (see docs/security.md)."
    static let yesNo = "argument must be 'yes' or 'no'"
    static let invalidPort = "Invalid port"
    static let tooManyBind = "Too many bind addresses specified."
    static let notAnInteger = "argument couldn't be parsed into an integer"
    static let notMemory = "argument must be a memory value"
    static let invalidSave = "Invalid save parameters"
    static let usersAndAclFile =
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both."
    static let notOctal = "argument couldn't be parsed as an octal number"
    static let notMemoryOrPercent = "argument must be a memory or percent value"
    static let saveAndNosave = "shutdown options SAVE and NOSAVE can't be used simultaneously"
    static let invalidPercentiles = "Invalid latency-tracking-info-percentiles parameters"
    static let percentilesRange = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
    static let oomScoreAdjValues = "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
    static let keyspaceEvents = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
    static let invalidMasterPort = "Invalid master port"
    static let hostnameLength = "Hostnames must be less than 256 characters"
    static let hostnameCharacters = "Hostnames may only contain alphanumeric characters, hyphens or dots"
    static let moduleConfigWithoutValue = "Module config specified without value"
    /// `include` with no file reader (a caller that reads no file).
    static let includeUnsupported = "include is not supported here: no file reader"
    static let includeTooDeep = "include files nested more than 16 deep"
    static func percentAtMost(_ max: Int64) -> String { "percentage argument must be less or equal to \(max)" }
    static func oneOf(_ values: [String]) -> String {
        "argument(s) must be one of the following: " + values.joined(separator: ", ")
    }
    static func range(_ min: Int64, _ max: Int64) -> String {
        "argument must be between \(min) and \(max) inclusive"
    }
}
