package ontap

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
)

// IP interface (LIF) rules for /network/ip/interfaces. The codes are
// ONTAP 9.16.1's, from its error tables for that endpoint.
const (
	CodeLIFDuplicateIP      = 1376963  // the address is in use
	CodeLIFDuplicateName    = 1966140  // a LIF with the name exists
	CodeLIFIPv6Prefix       = 1966267  // IPv6 prefix length outside 1..127
	CodeLIFIPv4Prefix       = 1966269  // IPv4 prefix length outside 1..32
	CodeLIFHomeRequired     = 1967111  // no home node, home port or broadcast domain
	CodeLIFSVMRequired      = 1967127  // scope svm without an SVM
	CodeLIFServicePolicy    = 53281065 // no such service policy in the SVM
	CodeLIFSubnetAddress    = 53281073 // the address is the subnet's, not a host's
	defaultDataPolicy       = "default-data-files"
	defaultManagementPolicy = "default-management"
)

// servicePolicies are the built-in service policies of a data SVM and the
// services each gives a LIF.
var servicePolicies = map[string][]string{
	"default-data-files":     {"data_core", "data_nfs", "data_cifs", "data_flexcache"},
	"default-data-blocks":    {"data_core", "data_iscsi"},
	"default-data-iscsi":     {"data_core", "data_iscsi"},
	"default-data-nvme-tcp":  {"data_core", "data_nvme_tcp"},
	defaultManagementPolicy:  {"data_core", "management_ssh", "management_https"},
	"default-intercluster":   {"intercluster_core", "management_https"},
	"default-route-announce": {"management_bgp"},
}

// LIFServices returns the services a service policy gives a LIF ("" is
// ONTAP's default for a data SVM's LIF, default-data-files).
func LIFServices(policy string) (string, []string, error) {
	if policy == "" {
		policy = defaultDataPolicy
	}
	s, ok := servicePolicies[policy]
	if !ok {
		return "", nil, Errorf(http.StatusBadRequest, CodeLIFServicePolicy, "service_policy.name",
			"The service policy %q does not exist in the SVM (built-in policies: default-data-files, default-data-blocks, default-data-iscsi, default-data-nvme-tcp, default-management, default-intercluster).", text.Truncate(policy, 64))
	}
	return policy, append([]string(nil), s...), nil
}

// CheckLIFAddress checks a LIF's address and netmask (a prefix length or,
// for IPv4, a dotted mask) and returns the address's family and the
// prefix length.
func CheckLIFAddress(address, netmask string) (family string, prefix int, err error) {
	if address == "" {
		return "", 0, ErrRequired("ip.address")
	}
	if netmask == "" {
		return "", 0, ErrRequired("ip.netmask")
	}
	addr, perr := netip.ParseAddr(address)
	if perr != nil || addr.Zone() != "" {
		return "", 0, ErrInvalidValue("ip.address", address, "<IP address>")
	}
	family, max := "ipv4", 32
	if addr.Is6() && !addr.Is4In6() {
		family, max = "ipv6", 128
	}
	prefix, perr = strconv.Atoi(netmask)
	if perr != nil {
		mask, merr := netip.ParseAddr(netmask)
		if merr != nil || !mask.Is4() || family != "ipv4" {
			return "", 0, ErrInvalidValue("ip.netmask", netmask, "<prefix length or IPv4 mask>")
		}
		b := mask.As4()
		bits := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		prefix = 0
		for bits&(1<<31) != 0 {
			prefix++
			bits <<= 1
		}
		if bits != 0 {
			return "", 0, ErrInvalidValue("ip.netmask", netmask, "<contiguous IPv4 mask>")
		}
	}
	switch {
	case family == "ipv4" && (prefix < 1 || prefix > 32):
		return "", 0, Errorf(http.StatusBadRequest, CodeLIFIPv4Prefix, "ip.netmask", "IPv4 addresses must have a prefix length between 1 and 32.")
	case family == "ipv6" && (prefix < 1 || prefix > 127):
		return "", 0, Errorf(http.StatusBadRequest, CodeLIFIPv6Prefix, "ip.netmask", "IPv6 addresses must have a prefix length between 1 and 127.")
	}
	if prefix < max-1 && netip.PrefixFrom(addr, prefix).Masked().Addr() == addr {
		return "", 0, Errorf(http.StatusBadRequest, CodeLIFSubnetAddress, "ip.address",
			"IP address %s and netmask %s cannot be used because this represents a subnet address rather than a specific host address.", address, netmask)
	}
	return family, prefix, nil
}

// LIFCreate is what a LIF create body says; nil means absent.
type LIFCreate struct {
	Name, Address, Netmask *string
	Scope                  *string
	SVM                    bool // svm.name or svm.uuid given
	HomeNode, HomePort     *string
	ServicePolicy          *string
}

// CheckLIFCreate applies ONTAP's create rules and returns the address
// family, the service policy and its services.
func CheckLIFCreate(in *LIFCreate) (family, policy string, services []string, err error) {
	if in.Name == nil || *in.Name == "" {
		return "", "", nil, ErrRequired("name")
	}
	if len(*in.Name) > 254 {
		return "", "", nil, ErrInvalidValue("name", *in.Name, "at most 254 characters")
	}
	if (in.Scope == nil || *in.Scope == "svm") && !in.SVM {
		return "", "", nil, Errorf(http.StatusBadRequest, CodeLIFSVMRequired, "svm.name", `svm.uuid or svm.name must be provided if scope is "svm".`)
	}
	if in.HomeNode == nil && in.HomePort == nil {
		return "", "", nil, Errorf(http.StatusBadRequest, CodeLIFHomeRequired, "location.home_node.name",
			"Home node must be specified by at least one location.home_node, location.home_port, or location.broadcast_domain field.")
	}
	if family, _, err = CheckLIFAddress(deref(in.Address), deref(in.Netmask)); err != nil {
		return "", "", nil, err
	}
	policy = deref(in.ServicePolicy)
	if policy == "" && in.Scope != nil && *in.Scope == "cluster" {
		policy = defaultManagementPolicy
	}
	policy, services, err = LIFServices(policy)
	return family, policy, services, err
}

// ErrLIFDuplicateName is 409 1966140.
func ErrLIFDuplicateName(name string) *Error {
	return Errorf(http.StatusConflict, CodeLIFDuplicateName, "name", "An interface with the name %q already exists.", text.Truncate(name, 64))
}

// ErrLIFDuplicateIP is 409 1376963.
func ErrLIFDuplicateIP(addr string) *Error {
	return Errorf(http.StatusConflict, CodeLIFDuplicateIP, "ip.address", "Duplicate IP address %s.", text.Truncate(addr, 64))
}

// SameAddress reports whether two textual IP addresses are the same.
func SameAddress(a, b string) bool {
	x, e1 := netip.ParseAddr(a)
	y, e2 := netip.ParseAddr(b)
	if e1 != nil || e2 != nil {
		return strings.EqualFold(a, b)
	}
	return x.Unmap() == y.Unmap()
}
