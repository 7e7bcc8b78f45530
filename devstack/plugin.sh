#!/bin/bash
#
# hardened-scheduler devstack plugin.
#
# stack.sh calls it at these points (n-sch is disabled by settings, so
# nova's own code never starts nova-scheduler):
#
# - install: install the project (setup_develop);
# - post-config: complete nova.conf with what devstack writes only when
#   n-sch (or n-cpu, n-api, n-cond) runs on this node: the [placement]
#   client options and the database connections;
# - extra: validate the configuration, then start the service as
#   devstack@h-sch;
# - unstack: stop it; clean: make sure it is stopped.

# Save trace setting
_XTRACE_HSCHED=$(set +o | grep xtrace)
set -o xtrace

HARDENED_SCHEDULER_BIN_DIR=$(get_python_exec_prefix)

function install_hardened_scheduler {
    setup_develop $HARDENED_SCHEDULER_DIR
}

function configure_hardened_scheduler {
    local conf=$HARDENED_SCHEDULER_CONF
    # devstack writes [placement] only when n-cpu or n-sch is enabled here.
    if [[ -z "$(iniget $conf placement auth_type)" ]]; then
        configure_placement_nova_compute $conf
    fi
    # ... and the databases only for n-api, n-cond and a few others (its
    # check names "n-sched", which never matches n-sch).
    if [[ -z "$(iniget $conf api_database connection)" ]]; then
        iniset $conf api_database connection \
            "$(database_connection_url nova_api)"
    fi
    if [[ -z "$(iniget $conf database connection)" ]]; then
        local db=nova_cell0
        if [[ "$CELLSV2_SETUP" == "singleconductor" ]]; then
            db=nova_cell1
        fi
        iniset $conf database connection "$(database_connection_url $db)"
    fi
    if [[ -n "$HARDENED_SCHEDULER_WORKERS" ]]; then
        iniset $conf scheduler workers "$HARDENED_SCHEDULER_WORKERS"
    fi
    # The journal of pending claim releases, where the stack user writes.
    if [[ -z "$(iniget $conf hardened_scheduler pending_releases_dir)" ]]; then
        iniset $conf hardened_scheduler pending_releases_dir \
            "$DATA_DIR/hardened-scheduler/pending-releases"
    fi
}

function start_hardened_scheduler {
    if [[ "$HARDENED_SCHEDULER_VALIDATE" == "True" ]]; then
        $HARDENED_SCHEDULER_BIN_DIR/hardened-scheduler-manage \
            validate-config --config-file $HARDENED_SCHEDULER_CONF
    fi
    local cmd="$HARDENED_SCHEDULER_BIN_DIR/hardened-scheduler"
    run_process h-sch "$cmd --config-file $HARDENED_SCHEDULER_CONF"
}

function stop_hardened_scheduler {
    stop_process h-sch
}

function cleanup_hardened_scheduler {
    # The service keeps no state of its own (nothing on disk, read-only
    # database access) and clean.sh already removes devstack@*.service
    # units; only make sure the process is gone.
    stop_process h-sch
}

if is_service_enabled h-sch; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing hardened-scheduler"
        install_hardened_scheduler
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring hardened-scheduler"
        configure_hardened_scheduler
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting hardened-scheduler"
        start_hardened_scheduler
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_hardened_scheduler
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_hardened_scheduler
    fi
fi

# Restore xtrace
$_XTRACE_HSCHED
