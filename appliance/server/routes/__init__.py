"""HTTP routes, one module per area. Each handler unpacks, calls a plain function, packs.

Every module exports `routes`: its handlers, or one Router where the area shares a prefix, guards
or an error shape (`/api/ai`, `/v1`, the control API). `server/app.py` mounts them all.
"""
