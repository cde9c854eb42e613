-- Argo CD resource actions of a fledge Canary (resource.customizations.actions.fledge.dev_Canary).
-- Each action writes the fledge.dev/command annotation, as `kubectl fledge <verb>` does; the
-- operator decides, and refuses what the phase does not allow. Disabled here where it would be.
local status = obj.status or {}
local phase = status.phase or ""
local released = status.lastAppliedSpec ~= nil
local inRelease = phase == "Waiting" or phase == "Progressing" or phase == "WaitingPromotion"
local promoting = phase == "Promoting" or phase == "Finalising"
local actions = {}
actions["promote"] = { ["disabled"] = not (released and inRelease) }
actions["promote-full"] = { ["disabled"] = not (released and inRelease) }
actions["abort"] = { ["disabled"] = not (released and inRelease) }
actions["retry"] = { ["disabled"] = not (released and phase == "Failed") }
actions["pause"] = { ["disabled"] = not (released and (inRelease or promoting)) or status.paused == true }
actions["resume"] = { ["disabled"] = status.paused ~= true }
return actions
