// The suite runs on Linux (CI, bpftrace, perf, file modes, signals); saying so keeps the platform analyzer quiet about
// the Unix-only calls of its helpers.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
