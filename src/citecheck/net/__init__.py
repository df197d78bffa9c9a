"""Everything that touches sockets, DNS and HTTP: the only package that imports httpx, httpcore
or socket. ``fetch`` is the policy (limits, retries, redirects, deadlines, secrets), ``wire`` the
connections that dial only checked addresses, ``body`` capped reading, ``resolve`` the resolver
seam, ``addresses`` the address guard and ``archive`` the web archive client."""
