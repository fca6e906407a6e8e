// Package soak is the mixed-load soak test of `nessie serve`: up to 64
// concurrent HTTP clients issue a random mix of volume, snapshot, clone,
// restore, split, rename, resize and delete operations (and reads and job
// polls), and creates, modifies and deletes export policies and their
// rules, qtrees, LUNs, igroups and LUN maps, against one endpoint for a
// bounded time, then checks the server's final state.
//
// # The model
//
// Each client owns the volumes it creates and is the only one to change
// them, so it can keep an exact model of each: name, size, comment, its
// snapshots in creation order, its clone origin, its qtrees (name, export
// policy) and its LUNs (path, size, comment, maps with their numbers).
// Export policies (name, rules by index) and igroups are owned the same
// way. Clients clone each
// other's snapshots freely (through a shared registry of published
// snapshots), which is where they contend: a clone can make an owner's
// snapshot delete, volume delete or restore fail with 409, and an owner's
// delete can make a clone fail with 404. Those answers are expected and
// change nothing. An answer that leaves the outcome unknown (a 5xx, a
// transport error, a job still running at the deadline) marks the object
// uncertain and is counted as an error.
//
// # What is verified
//
// After the load stops, the run reads the whole state through the API
// (paging volumes with max_records and cross-checking an unpaged list)
// and checks the invariants — unique volume names, unique snapshot names
// per volume, every clone's parent volume and snapshot present and named
// as they are now, no snapshot listed under another volume — and each
// client's model: every acknowledged create is visible with the fields it
// was last acknowledged with, every acknowledged delete is gone (GET
// answers 404), and no volume exists that no client created. For the NAS
// and SAN objects: every qtree and LUN is in an existing volume, LUN paths
// follow their volume's name, maps join existing LUNs and igroups; each
// model's policies, rules, qtrees, LUNs and maps are as last acknowledged;
// a deleted volume's qtrees and LUNs are gone; a restore gives the volume
// the LUNs its snapshot holds (sizes and comments then, maps kept, LUNs
// made since gone, LUNs deleted since back unmapped); a map is numbered with the
// igroup's lowest free number; a policy a qtree uses cannot be deleted
// (1703953) nor a mapped LUN without allow_delete_while_mapped (1254197).
// Config.VolumesOnly leaves the objects out. The run
// itself must see zero 5xx answers and zero transport errors.
package soak
