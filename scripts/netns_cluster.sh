#!/bin/sh
# Several "hosts" on one machine for testing multi-host MPI runs: network
# namespaces wb-h1..wb-hN, each with its own loopback and a veth into a bridge
# (10.77.0.1 in the root namespace, host i at 10.77.0.(10+i)). mpirun starts
# the remote daemons through scripts/netns_agent.sh instead of ssh.
#
#   scripts/netns_cluster.sh up 2      # create wb-h1, wb-h2 (root, needs CAP_NET_ADMIN)
#   scripts/netns_cluster.sh run 2 -np 4 .build/release/workbench train --distributed --limit 2000 --epochs 1
#   scripts/netns_cluster.sh down 2
set -e
cmd=${1:-up}; n=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
case "$cmd" in
up)
    ip link add wb-br0 type bridge
    ip addr add 10.77.0.1/24 dev wb-br0
    ip link set wb-br0 up
    for i in $(seq 1 "$n"); do
        ip netns add "wb-h$i"
        ip link add "wb-v$i" type veth peer name eth0 netns "wb-h$i"
        ip link set "wb-v$i" master wb-br0 up
        ip -n "wb-h$i" addr add "10.77.0.$((10 + i))/24" dev eth0
        ip -n "wb-h$i" link set eth0 up
        ip -n "wb-h$i" link set lo up
    done ;;
down)
    for i in $(seq 1 "$n"); do ip netns del "wb-h$i" 2>/dev/null || true; done
    ip link del wb-br0 2>/dev/null || true ;;
run)
    shift 2
    hosts=$(mktemp)
    for i in $(seq 1 "$n"); do echo "10.77.0.$((10 + i)) slots=2" >> "$hosts"; done
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun --hostfile "$hosts" --mca plm_rsh_agent "$here/netns_agent.sh" \
        --mca btl self,tcp --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
        --bind-to none "$@"
    rm -f "$hosts" ;;
*) echo "usage: $0 up|down|run N [mpirun args…]" >&2; exit 2 ;;
esac
