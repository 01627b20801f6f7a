package labels

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// TrueType collections (.ttc) hold several faces that share tables; gopdf
// reads only single fonts (.ttf). ExtractFace writes one face of a
// collection out as a standalone TrueType font: its table directory, then
// each table it names, copied and padded to four bytes, with the offsets
// rewritten and the whole-font checksum in 'head' set again.

var errNotCollection = errors.New("not a TrueType collection")

// IsCollection reports whether data is a TrueType collection.
func IsCollection(data []byte) bool { return len(data) >= 12 && string(data[:4]) == "ttcf" }

type tableRecord struct {
	tag                      string
	checksum, offset, length uint32
}

// ExtractFace returns face index of a TrueType collection as a .ttf.
func ExtractFace(data []byte, index int) ([]byte, error) {
	if !IsCollection(data) {
		return nil, errNotCollection
	}
	be := binary.BigEndian
	faces := int(be.Uint32(data[8:12]))
	if index < 0 || index >= faces {
		return nil, fmt.Errorf("the collection has %d faces, not face %d", faces, index)
	}
	if 12+4*faces > len(data) || faces > 1<<12 {
		return nil, errors.New("truncated collection header")
	}
	dir := int(be.Uint32(data[12+4*index:]))
	if dir < 0 || dir+12 > len(data) {
		return nil, errors.New("face directory outside the file")
	}
	numTables := int(be.Uint16(data[dir+4:]))
	if numTables == 0 || dir+12+16*numTables > len(data) {
		return nil, errors.New("truncated table directory")
	}
	tables := make([]tableRecord, numTables)
	for i := range tables {
		rec := data[dir+12+16*i:]
		t := tableRecord{tag: string(rec[:4]), checksum: be.Uint32(rec[4:]), offset: be.Uint32(rec[8:]), length: be.Uint32(rec[12:])}
		if uint64(t.offset)+uint64(t.length) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q lies outside the file", t.tag)
		}
		tables[i] = t
	}
	// Table records are sorted by tag in a valid font; keep that order.
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })

	size := 12 + 16*numTables
	for _, t := range tables {
		size += int(pad4(t.length))
	}
	out := make([]byte, size)
	copy(out[:12], data[dir:dir+12])
	next := uint32(12 + 16*numTables)
	headAt := -1
	for i, t := range tables {
		rec := out[12+16*i:]
		copy(rec[:4], t.tag)
		be.PutUint32(rec[4:], t.checksum)
		be.PutUint32(rec[8:], next)
		be.PutUint32(rec[12:], t.length)
		copy(out[next:], data[t.offset:t.offset+t.length])
		if t.tag == "head" && t.length >= 12 {
			headAt = int(next)
		}
		next += pad4(t.length)
	}
	if headAt >= 0 {
		// checkSumAdjustment = 0xB1B0AFBA minus the sum of the whole font
		// computed with the adjustment itself set to zero.
		be.PutUint32(out[headAt+8:], 0)
		be.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	}
	return out, nil
}

func pad4(n uint32) uint32 { return (n + 3) &^ 3 }

// checksum is the TrueType checksum: the sum of big-endian uint32 words.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i+4 <= len(b); i += 4 {
		sum += binary.BigEndian.Uint32(b[i:])
	}
	if rest := len(b) % 4; rest != 0 {
		var last [4]byte
		copy(last[:], b[len(b)-rest:])
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}
