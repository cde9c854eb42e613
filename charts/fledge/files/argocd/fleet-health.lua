-- Argo CD health of a FleetCanary on the hub (resource.customizations.health.fledge.dev_FleetCanary).
-- Healthy: no release yet, or the last one promoted in every cluster (Idle, Succeeded).
-- Progressing: the fleet controller has not seen this generation yet, or a wave is open or soaking.
-- Suspended: spec.suspend holds every gate.
-- Degraded: a wave halted the release, or the FleetCanary cannot run (Stalled).
local hs = { status = "Progressing", message = "Waiting for the fledge fleet controller" }
local status = obj.status
if status == nil then
  return hs
end
local generation = (obj.metadata or {}).generation
if generation ~= nil and (status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the fledge fleet controller to observe generation " .. generation
  return hs
end
local message = status.message or ""
for _, c in ipairs(status.conditions or {}) do
  if c.type == "Stalled" and c.status == "True" then
    return { status = "Degraded", message = c.message or message }
  end
end
local phase = status.phase or ""
if phase == "Halted" then
  return { status = "Degraded", message = message }
end
if phase == "Idle" or phase == "Succeeded" then
  return { status = "Healthy", message = message }
end
if (obj.spec or {}).suspend == true then
  return { status = "Suspended", message = message }
end
hs.message = message
return hs
