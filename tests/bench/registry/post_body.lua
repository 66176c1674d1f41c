-- wrk script: every request POSTs the XML-RPC call held in the file named by
-- $RE6ST_BENCH_BODY.
local file = assert(io.open(os.getenv("RE6ST_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "text/xml"
