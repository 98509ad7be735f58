//go:build cgo && linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"riskwalk/internal/testenv"
	"riskwalk/vecfile"
)

// TestDistNetns trains on 2 ranks in two network namespaces joined by a veth pair, over OpenMPI's
// TCP transport only (--mca btl tcp,self), as two hosts would: mpirun runs in the first
// namespace and starts the second rank's daemon through an rsh replacement that enters the
// second namespace (../shared/MPI.md, "Several hosts on one machine"). It uses only the
// addresses 10.231.0.1 and 10.231.0.2 on its own veth pair and deletes both namespaces.
func TestDistNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("TestDistNetns creates network namespaces and needs root (run make test as root, as CI does)")
	}
	ip := testenv.Tool(t, "ip", "iproute2")
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	bin := buildTrain(t)
	dir := t.TempDir()
	g := plantedFile(t, dir, "g", 300, 50, 8, 2, 1, 2)

	ns := []string{fmt.Sprintf("rwdist%d-0", os.Getpid()), fmt.Sprintf("rwdist%d-1", os.Getpid())}
	addr := []string{"10.231.0.1", "10.231.0.2"}
	veth := []string{fmt.Sprintf("rwd%d-0", os.Getpid()%100000), fmt.Sprintf("rwd%d-1", os.Getpid()%100000)}
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, n := range ns {
		sh("netns", "add", n)
	}
	t.Cleanup(func() {
		for _, n := range ns {
			exec.Command(ip, "netns", "del", n).Run() // deleting a namespace removes its veth end
		}
	})
	sh("link", "add", veth[0], "type", "veth", "peer", "name", veth[1])
	for i, n := range ns {
		sh("link", "set", veth[i], "netns", n)
		sh("-n", n, "addr", "add", addr[i]+"/24", "dev", veth[i])
		sh("-n", n, "link", "set", veth[i], "up")
		sh("-n", n, "link", "set", "lo", "up")
	}
	agent := filepath.Join(dir, "nsrsh")
	script := fmt.Sprintf(`#!/bin/sh
# rsh replacement: "nsrsh [options] HOST command..." runs command in HOST's network namespace.
while [ "${1#-}" != "$1" ]; do shift; done
host=$1; shift
case $host in %s) ns=%s ;; %s) ns=%s ;; *) echo "nsrsh: unknown host $host" >&2; exit 1 ;; esac
exec %s netns exec $ns sh -c "$*"
`, addr[0], ns[0], addr[1], ns[1], ip)
	if err := os.WriteFile(agent, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	hosts := filepath.Join(dir, "hosts")
	if err := os.WriteFile(hosts, []byte(addr[0]+" slots=1\n"+addr[1]+" slots=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "v.rwv")
	o, err := run(t, ip, "netns", "exec", ns[0], mpirun, "--hostfile", hosts, "-np", "2", "--bind-to", "none", "--display-map",
		"--mca", "plm_rsh_agent", agent, "--mca", "oob_tcp_if_include", "10.231.0.0/24",
		"--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "10.231.0.0/24",
		bin, "--graph", g, "--partition", filepath.Join(dir, "g.p2.rwp"), "--out", out,
		"--walks", "5", "--length", "20", "--dim", "16", "--threads", "1", "--sync-every", "5", "--quiet")
	if err != nil {
		t.Fatalf("mpirun over two namespaces: %v\n%s", err, o)
	}
	// mpirun lists its own host (the first namespace) by host name and the other by address.
	if !strings.Contains(o, "Data for node: "+addr[1]) {
		t.Fatalf("job map does not place a rank on host %s (the second namespace):\n%s", addr[1], o)
	}
	if !strings.Contains(o, `"ranks":2`) || strings.Contains(o, `"sync_bytes":0,`) {
		t.Fatalf("no 2-rank RESULT with sync traffic:\n%s", o)
	}
	f, err := vecfile.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Count != 300 {
		t.Fatalf("vector file has %d rows, want 300", f.Count)
	}
}
