// Temporary until the scripts branch is merged: it provides the real queueClientReconfigScript.
extension Sentinel {
    mutating func queueClientReconfigScript(master name: String, role: String, from: HostPort, to: HostPort) {}
}
