"""CrossCellWeigher: during a cross-cell move, prefer the current cell."""

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


class CrossCellWeigher(base.BaseWeigher):
    multiplier_option = 'cross_cell_move_weight_multiplier'

    def constant_weight(self, spec: request_spec.RequestSpec
                        ) -> float | None:
        destination = spec.requested_destination
        if (destination is None or destination.cell is None
                or not destination.allow_cross_cell_move):
            return 0.0
        return None

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        destination = spec.requested_destination
        # Only moves name a cell, and only allowed cross-cell moves weigh.
        if (destination is None or destination.cell is None
                or not destination.allow_cross_cell_move):
            return 0
        return 1 if host.cell_uuid == destination.cell.uuid else -1
