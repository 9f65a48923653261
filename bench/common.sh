# Shared by the benchmark scripts (sourced): the tool as installed, and the machine it runs on.

# publish_pmanalyze DIR: `dotnet publish` (ReadyToRun, see src/Cli/pmanalyze.csproj) into DIR/pmanalyze; sets $pma
# The platform-specific intermediates of an earlier publish are removed first: after a publish with other settings
# (-p:PublishReadyToRunComposite=true) the next publish reused its intermediates, shipped two of the libraries without
# their compiled code, and the binary aborted at its first import (SIGABRT, no message).
publish_pmanalyze() {
    rm -rf "$repo"/src/Cli/obj/Release/*/linux-* "$repo"/src/Cli/bin/Release/*/linux-*
    dotnet publish "$repo/src/Cli/pmanalyze.csproj" -c Release -o "$1/pmanalyze" -v quiet -nologo >/dev/null
    pma="$1/pmanalyze/pmanalyze"
}

describe_machine() {
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}
