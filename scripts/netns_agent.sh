#!/bin/sh
# mpirun's "ssh" for scripts/netns_cluster.sh: runs the daemon command inside
# the namespace of host 10.77.0.(10+i), i.e. wb-hi. Open MPI calls it as
# `netns_agent.sh [ssh options] HOST COMMAND…`.
while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
host=$1; shift
i=$(( ${host##*.} - 10 ))
exec ip netns exec "wb-h$i" /bin/sh -c "$*"
