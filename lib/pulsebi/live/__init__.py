"""Live KPIs: crm write → trigger NOTIFY → worker → Redis snapshot + PUBLISH → kernel → tile.

- `triggers`   the NOTIFY channel, the tables that send it, `suppress_notify` for bulk loaders
- `kpis`       the registry of live KPIs (key → metric, period, dimensions) and what feeds them
- `channel`    Redis key and channel names, message encoding (shared by worker and subscriber)
- `worker`     `run_worker`: LISTEN, coalesce, recompute through `pulsebi.metrics`, publish
- `process`    `start_live_worker`: the detached worker process `pulsebi up` starts
- `subscriber` the one subscriber thread per kernel process
- `tiles`      `bind_tile`, per-page refresh: what notebooks call

Besides the values, the worker says "the CRM changed" (`channel`); `LiveSubscriber.watch`
hears it, and `pulsebi.dashboards.follow` recomputes the page's other figures that cover today.
"""
