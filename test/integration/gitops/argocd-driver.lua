-- Runs one Argo CD Lua script (health.lua, discovery.lua or an action.lua) the way Argo CD does:
-- the resource as the global `obj`, the script's return value as the answer. JSON in on stdin,
-- JSON out on stdout. Argo CD hands scripts nil for JSON null; cjson gives a sentinel, removed here.
local cjson = require("cjson")

local function denull(v)
  if v == cjson.null then return nil end
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = denull(x) end
  end
  return v
end

obj = denull(cjson.decode(io.read("*a")))
local result = dofile(arg[1])
io.write(cjson.encode(result))
