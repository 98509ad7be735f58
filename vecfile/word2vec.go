package vecfile

import (
	"bufio"
	"io"
	"strconv"
)

// WriteWord2Vec writes f in word2vec's text format: a line "count dim", then one line per row,
// "name v1 ... vdim", floats in the shortest form that reads back to the same float32. name(i,
// dst) appends row i's name (its external id) to dst; nil names rows by their dense id.
func WriteWord2Vec(w io.Writer, f *File, name func(dst []byte, i uint64) []byte) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	line := strconv.AppendUint(nil, f.Count, 10)
	line = append(line, ' ')
	line = strconv.AppendInt(line, int64(f.Dim), 10)
	line = append(line, '\n')
	bw.Write(line)
	row := make([]float32, 0, f.Dim)
	for i := uint64(0); i < f.Count; i++ {
		line = line[:0]
		if name != nil {
			line = name(line, i)
		} else {
			line = strconv.AppendUint(line, i, 10)
		}
		row = f.Row(row[:0], i)
		for _, v := range row {
			line = append(line, ' ')
			line = strconv.AppendFloat(line, float64(v), 'g', -1, 32)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
