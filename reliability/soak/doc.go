// Package soak is the mixed-load soak test of `nessie serve`: up to 64
// concurrent HTTP clients issue a random mix of volume, snapshot, clone,
// restore, split, rename, resize and delete operations (and reads and job
// polls), and creates, modifies and deletes export policies and their
// rules, qtrees, LUNs, igroups and LUN maps, snapshot policies (and their
// schedules), QoS policies, CIFS shares, quota rules and SVMs, against one
// endpoint for a bounded time, then checks the server's final state.
//
// # The model
//
// Each client owns the volumes it creates and is the only one to change
// them, so it can keep an exact model of each: name, size, comment, its
// snapshots in creation order, its clone origin, its qtrees (name, export
// policy) and its LUNs (path, size, comment, maps with their numbers).
// Export policies (name, rules by index) and igroups are owned the same
// way, and so are snapshot policies (schedule -> count, changed through
// /snapshot-policies/{uuid}/schedules), QoS policies (their IOPS limit),
// CIFS shares (path, comment), the tree quota rule of a qtree (hard
// limit) and an SVM taken through its lifecycle (created, an export
// policy made in it, renamed, deleted). A volume's model also holds its
// junction path and the snapshot and QoS policy it uses (set by PATCH; a
// clone inherits its parent's, so a clone's are unknown until set). A
// share needs the cluster SVM's CIFS server, which the run creates first,
// and a mounted volume: the client mounts the volume at /<name> first;
// the share outlives the volume's delete, as nessie checks a share's path
// only when it is set. Clients clone each
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
// Each snapshot and QoS policy, share, quota rule and SVM is as last
// acknowledged or gone as acknowledged, a volume's junction and policies
// are as last set, a deleted qtree or volume took its quota rules along,
// a deleted SVM its export policies, and no soak-named policy, share,
// quota rule or SVM exists that no client made. A policy a volume of its
// owner uses must refuse deletion (1638415 for a snapshot policy, 8 for a
// QoS policy), and one no volume can use must not: a clone of a volume
// that used the policy (another client's, so unseen) or a PATCH cut off
// makes the refusal possible but not required.
// Config.VolumesOnly leaves the objects out. The run
// itself must see zero 5xx answers and zero transport errors.
package soak
