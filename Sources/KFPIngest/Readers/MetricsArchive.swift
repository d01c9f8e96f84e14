import FoundationEssentials
import CZlib

/// Reads the KFP v1 metrics artifact: a gzip'd tar that must hold exactly one regular file, all in memory
/// (nothing from an archive is ever written to disk).
package enum MetricsArchive {
    /// Why an archive was refused.
    package struct Failure: Error, Sendable {
        package var message: String
    }

    /// Whether bytes start with the gzip magic number.
    package static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The single file inside a gzip'd tar: its name and its bytes.
    package static func singleFile(
        fromTgz bytes: [UInt8], maxBytes: Int
    ) throws(Failure) -> (name: String, bytes: [UInt8]) {
        let tar = try gunzip(bytes, maxBytes: maxBytes)
        return try singleFile(fromTar: tar)
    }

    // MARK: - gzip

    /// Inflates a gzip stream (several members are concatenated, as gzip does), refusing output past `maxBytes`.
    package static func gunzip(_ input: [UInt8], maxBytes: Int) throws(Failure) -> [UInt8] {
        // zlib counts input in 32 bits (uInt(count) would trap past 4 GiB, which --max-file-bytes allows).
        guard input.count <= Int(UInt32.max) else { throw Failure(message: "the gzip data is larger than 4 GiB") }
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw Failure(message: "cannot start gzip decoding") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var mutableInput = input
        let result: Failure? = mutableInput.withUnsafeMutableBufferPointer { inBuffer -> Failure? in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced > 0) {
                    if status == Z_BUF_ERROR {
                        return Failure(message: "the gzip data is truncated")
                    }
                    let detail = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    return Failure(message: "the gzip data is corrupt (\(detail))")
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > maxBytes {
                    return Failure(
                        message: "decompresses to more than \(maxBytes) bytes (a decompression bomb?); "
                            + "raise the limit with --max-decompressed-bytes")
                }
                if status == Z_STREAM_END {
                    // Another gzip member may follow; anything else is trailing junk.
                    if stream.avail_in == 0 { return nil }
                    let at = inBuffer.count - Int(stream.avail_in)
                    guard stream.avail_in >= 2, inBuffer[at] == 0x1F, inBuffer[at + 1] == 0x8B else {
                        return Failure(message: "unexpected data after the end of the gzip stream, at byte \(at)")
                    }
                    if inflateReset(&stream) != Z_OK { return Failure(message: "cannot continue gzip decoding") }
                    continue
                }
                if stream.avail_in == 0 && produced == 0 {
                    return Failure(message: "the gzip data is truncated")
                }
            }
        }
        if let result { throw result }
        return output
    }

    // MARK: - tar

    /// The one regular file of a ustar/GNU/pax tar; refuses zero or several entries, links and folders.
    package static func singleFile(fromTar tar: [UInt8]) throws(Failure) -> (name: String, bytes: [UInt8]) {
        guard tar.count >= 512 || tar.allSatisfy({ $0 == 0 }) else {
            throw Failure(message: "the gzip data holds no tar archive")
        }
        var offset = 0
        var found: (name: String, bytes: [UInt8])?
        var longName: String?
        while offset + 512 <= tar.count {
            let header = tar[offset..<offset + 512]
            if header.allSatisfy({ $0 == 0 }) { break }  // end-of-archive marker
            guard checksumMatches(header) else {
                // Data without the ustar magic is no tar at all (a gzip'd JSON file, say); with it, a damaged one.
                let magic = header[(header.startIndex + 257)..<(header.startIndex + 262)]
                if offset == 0 && !magic.elementsEqual("ustar".utf8) {
                    throw Failure(message: "the gzip data holds no tar archive")
                }
                throw Failure(message: "tar header at byte \(offset) is corrupt (its checksum does not match)")
            }
            let name = longName ?? headerString(header, offset: 0, length: 100, prefixedBy: 345)
            longName = nil
            guard let size = octal(header, offset: 124, length: 12) else {
                throw Failure(message: "tar entry '\(name)' has a bad size field")
            }
            let dataStart = offset + 512
            guard dataStart + size <= tar.count else { throw Failure(message: "tar entry '\(name)' is truncated") }
            let data = Array(tar[dataStart..<dataStart + size])
            offset = dataStart + (size + 511) / 512 * 512
            let type = header[header.startIndex + 156]
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                guard found == nil else {
                    throw Failure(
                        message: "the archive holds more than one file ('\(found?.name ?? "")', '\(name)'); "
                            + "KFP needs exactly one metrics file in it")
                }
                found = (name, data)
            case UInt8(ascii: "L"):  // GNU long name for the next entry
                longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "x"), UInt8(ascii: "g"):  // pax headers: metadata only
                if type == UInt8(ascii: "x"), let path = paxPath(data) { longName = path }
            case UInt8(ascii: "5"):
                if found == nil && isRootFolder(name) { continue }
                throw Failure(message: "tar entry '\(name)' is a folder; KFP needs exactly one regular file")
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                throw Failure(message: "tar entry '\(name)' is a link; KFP needs exactly one regular file")
            default:
                throw Failure(message: "tar entry '\(name)' is not a regular file (type '\(Character(Unicode.Scalar(type)))')")
            }
        }
        guard let found else { throw Failure(message: "the archive holds no file; KFP needs exactly one metrics file") }
        return found
    }

    /// A leading `./` folder entry, which tar writes for `tar -C dir .`, is harmless.
    private static func isRootFolder(_ name: String) -> Bool { name == "./" || name == "." }

    private static func checksumMatches(_ header: ArraySlice<UInt8>) -> Bool {
        guard let stored = octal(header, offset: 148, length: 8) else { return false }
        var sum = 0
        for (i, byte) in header.enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(byte) }
        return sum == stored
    }

    private static func octal(_ header: ArraySlice<UInt8>, offset: Int, length: Int) -> Int? {
        let field = header[(header.startIndex + offset)..<(header.startIndex + offset + length)]
        var value = 0
        var sawDigit = false
        for byte in field {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                value = value * 8 + Int(byte - UInt8(ascii: "0"))
                sawDigit = true
                if value > Int(Int32.max) { return nil }
            case UInt8(ascii: " "), 0:
                if sawDigit { return value }
            default:
                return nil
            }
        }
        return sawDigit ? value : nil
    }

    private static func headerString(
        _ header: ArraySlice<UInt8>, offset: Int, length: Int, prefixedBy prefixOffset: Int
    ) -> String {
        func field(_ start: Int, _ count: Int) -> String {
            let bytes = header[(header.startIndex + start)..<(header.startIndex + start + count)].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        let name = field(offset, length)
        let prefix = field(prefixOffset, 155)
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The `path` record of a pax extended header (`"<len> path=<value>\n"`).
    private static func paxPath(_ data: [UInt8]) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        for record in text.split(separator: "\n") {
            if let range = record.firstByteRange(of: " path=") { return String(record[range.upperBound...]) }
        }
        return nil
    }
}
