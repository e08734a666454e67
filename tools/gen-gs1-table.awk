# gen-gs1-table.awk - turn the GS1 Barcode Syntax Dictionary into C.
#
#   awk -f tools/gen-gs1-table.awk data/gs1/gs1-syntax-dictionary.txt \
#       > lib/code/gs1_ai_table.c
#
# Reads the dictionary (syntax in its header comment) and writes the
# gs1_ai_table[] / gs1_ai_count / gs1_ai_start[] definitions declared in
# lib/code/gs1_int.h: one entry per AI (ranges such as "3100-3105" and
# "91-99" are expanded), sorted by AI string, and where each two-digit
# prefix starts.
#
# The script is strict on purpose: an unknown flag, linter or attribute,
# a component it cannot parse, a limit of gs1_int.h that would be exceeded,
# a duplicate AI or two AIs where one is a prefix of the other all stop it
# with a message on stderr and exit status 1, so that a new dictionary
# release is never silently mis-read. Output is only written at the end,
# after every line has been accepted.
#
# Portable awk only (tested with mawk and gawk): no gawk extensions, no
# length(array), no regex intervals.

BEGIN {
    COMP_MAX = 5    # GS1_COMP_MAX in gs1_int.h
    LINT_MAX = 3    # GS1_LINT_MAX in gs1_int.h
    LEN_MAX = 255   # min/max are unsigned char

    # Linter names of the dictionary -> gs1_linter enumerators.
    nl = split("csum csumalpha gcppos1 gcppos2 hasnondigit hh hhmi " \
               "hyphen iban importeridx iso3166 iso3166999 iso3166alpha2 " \
               "iso4217 iso5218 latitude longitude mediatype mi nonzero " \
               "nozeroprefix packagetype pcenc pieceoftotal posinseqslash " \
               "ss winding yesno yymmd0 yymmdd yyyymmdd zero couponcode " \
               "couponposoffer", names, " ")
    for (i = 1; i <= nl; i++)
        linter[names[i]] = "GS1_LINT_" toupper(names[i])

    release = ""
    n = 0
    failed = 0
}

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}

function trim(s) {
    sub(/^[ \t]+/, "", s)
    sub(/[ \t]+$/, "", s)
    return s
}

# A C string literal for s: backslash, quote and '?' (trigraphs) escaped.
function cstr(s,    out, i, c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" || c == "\"" || c == "?")
            out = out "\\" c
        else
            out = out c
    }
    return "\"" out "\""
}

# Parse one format component ("N14,csum", "[X..17]", "[N3],iso3166") into
# its C initializer; sets comp_opt and comp_var for the caller's checks.
function component(tok,    spec, inner, rest, rbr, parts, np, type,
                           lens, lo, hi, lints, k, nlint) {
    comp_opt = 0
    if (substr(tok, 1, 1) == "[") {
        rbr = index(tok, "]")
        if (rbr == 0)
            fail("unbalanced '[' in component \"" tok "\"")
        inner = substr(tok, 2, rbr - 2)
        rest = substr(tok, rbr + 1)
        if (rest != "" && substr(rest, 1, 1) != ",")
            fail("unexpected text after ']' in component \"" tok "\"")
        if (index(inner, "[") || index(inner, "]") || index(rest, "]"))
            fail("nested brackets in component \"" tok "\"")
        spec = inner rest
        comp_opt = 1
    } else {
        spec = tok
    }
    np = split(spec, parts, ",")
    type = substr(parts[1], 1, 1)
    if (type !~ /^[NXYZ]$/)
        fail("unknown type '" type "' in component \"" tok "\"")
    lens = substr(parts[1], 2)
    if (lens ~ /^\.\.[0-9]+$/) {
        lo = 1
        hi = substr(lens, 3) + 0
        comp_var = 1
    } else if (lens ~ /^[0-9]+$/) {
        lo = hi = lens + 0
        comp_var = 0
    } else {
        fail("cannot read length \"" lens "\" in component \"" tok "\"")
    }
    if (hi < 1 || hi > LEN_MAX)
        fail("length " hi " out of range in component \"" tok "\"")
    if (lo == hi)
        comp_var = 0
    lints = ""
    nlint = 0
    for (k = 2; k <= np; k++) {
        if (!(parts[k] in linter))
            fail("unknown linter \"" parts[k] "\" in component \"" tok "\"")
        if (++nlint > LINT_MAX)
            fail("more than " LINT_MAX " linters in component \"" tok "\"")
        lints = lints (nlint > 1 ? ", " : "") linter[parts[k]]
    }
    if (nlint == 0)
        lints = "GS1_LINT_NONE"
    return "{'" type "', " lo ", " hi ", " (comp_opt ? "true" : "false") \
           ", {" lints "}}"
}

{
    sub(/\r$/, "")
}

/^#[ \t]*Release:/ && release == "" {
    release = $0
    sub(/^#[ \t]*Release:[ \t]*/, "", release)
    release = trim(release)
    if (release !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/)
        fail("cannot read the release date \"" release "\"")
    next
}

/^[ \t]*#/ || /^[ \t]*$/ {
    next
}

{
    line = $0
    title = ""
    hash = index(line, "#")
    if (hash > 0) {
        title = trim(substr(line, hash + 1))
        line = substr(line, 1, hash - 1)
    }
    line = trim(line)
    nt = split(line, tok, /[ \t]+/)

    # AI or range of AIs.
    if (tok[1] ~ /^[0-9]+$/) {
        first = last = tok[1]
    } else if (tok[1] ~ /^[0-9]+-[0-9]+$/) {
        dash = index(tok[1], "-")
        first = substr(tok[1], 1, dash - 1)
        last = substr(tok[1], dash + 1)
    } else {
        fail("cannot read the AI \"" tok[1] "\"")
    }
    if (length(first) < 2 || length(first) > 4 || \
        length(first) != length(last) || first + 0 > last + 0)
        fail("bad AI or AI range \"" tok[1] "\"")

    # Flags: a token without letters or digits.
    t = 2
    predef = "false"
    dlattr = "false"
    if (t <= nt && tok[t] !~ /[A-Za-z0-9]/) {
        for (k = 1; k <= length(tok[t]); k++) {
            c = substr(tok[t], k, 1)
            if (c == "*")
                predef = "true"
            else if (c == "?")
                dlattr = "true"
            else
                fail("unknown flag '" c "' for AI " tok[1])
        }
        t++
    }

    # Format components, then attributes.
    ncomp = 0
    comps = ""
    seen_opt = 0
    prev_var = 0
    req = ""
    ex = ""
    dlpkey = "-"
    for (; t <= nt; t++) {
        if (tok[t] ~ /^\[?[NXYZ]/) {
            if (req != "" || ex != "" || dlpkey != "-")
                fail("component \"" tok[t] "\" after attributes")
            if (prev_var)
                fail("only the last component may have a variable length")
            if (++ncomp > COMP_MAX)
                fail("more than " COMP_MAX " components for AI " tok[1])
            comps = comps (ncomp > 1 ? ",\n      " : "") component(tok[t])
            if (seen_opt && !comp_opt)
                fail("mandatory component \"" tok[t] \
                     "\" after an optional one")
            seen_opt = seen_opt || comp_opt
            prev_var = comp_var
        } else if (tok[t] ~ /^req=[0-9n+,]+$/) {
            req = req (req == "" ? "" : " ") substr(tok[t], 5)
        } else if (tok[t] ~ /^ex=[0-9n,]+$/) {
            ex = ex (ex == "" ? "" : ",") substr(tok[t], 4)
        } else if (tok[t] == "dlpkey" || tok[t] ~ /^dlpkey=[0-9,|]+$/) {
            if (dlpkey != "-")
                fail("more than one dlpkey for AI " tok[1])
            dlpkey = tok[t] == "dlpkey" ? "" : substr(tok[t], 8)
        } else {
            fail("cannot read \"" tok[t] "\" for AI " tok[1])
        }
    }
    if (ncomp == 0)
        fail("no format components for AI " tok[1])

    rest = "     " (req == "" ? "NULL" : cstr(req)) ", " \
           (ex == "" ? "NULL" : cstr(ex)) ", " \
           (dlpkey == "-" ? "NULL" : cstr(dlpkey)) ", " cstr(title) "},\n"

    w = length(first)
    for (v = first + 0; v <= last + 0; v++) {
        ai = sprintf("%0" w "d", v)
        n++
        key[n] = ai
        text[n] = "    {\"" ai "\", " predef ", " dlattr ", " ncomp ",\n" \
                  "     {" comps "},\n" rest
    }
}

END {
    if (failed)
        exit 1
    if (release == "") {
        printf "%s: no \"Release:\" line in the header\n", FILENAME \
            > "/dev/stderr"
        exit 1
    }
    if (n == 0) {
        printf "%s: no AI entries\n", FILENAME > "/dev/stderr"
        exit 1
    }
    if (n > 65535) {
        printf "%s: %d AIs do not fit gs1_ai_start[] (unsigned short)\n", \
            FILENAME, n > "/dev/stderr"
        exit 1
    }

    # Insertion sort by AI string (forced string comparison: "x" a).
    for (i = 2; i <= n; i++) {
        k = key[i]
        s = text[i]
        for (j = i - 1; j >= 1 && ("x" key[j]) > ("x" k); j--) {
            key[j + 1] = key[j]
            text[j + 1] = text[j]
        }
        key[j + 1] = k
        text[j + 1] = s
    }

    # AIs must be unique and prefix-free; in sorted order it is enough to
    # compare each AI with the next one.
    for (i = 1; i < n; i++) {
        if (key[i] == substr(key[i + 1], 1, length(key[i]))) {
            printf "%s: AI %s is a prefix of (or equal to) AI %s\n", \
                FILENAME, key[i], key[i + 1] > "/dev/stderr"
            exit 1
        }
    }

    src = FILENAME
    sub(/^.*\/data\/gs1\//, "data/gs1/", src)

    print "/*"
    print " * gs1_ai_table.c - GENERATED FILE, DO NOT EDIT."
    print " *"
    print " * Generated by tools/gen-gs1-table.awk from " src
    print " * (GS1 Barcode Syntax Dictionary, release " release ")."
    print " * To change it, update the dictionary and run `make " \
          "lib/code/gs1_ai_table.c`."
    print " *"
    print " * The dictionary is Copyright (c) BWIPP project, Zint project " \
          "and GS1 AISBL,"
    print " * licensed under the Apache License, Version 2.0; this table is " \
          "derived"
    print " * from it. See data/gs1/README.md."
    print " */"
    print "#include <stdbool.h>"
    print "#include <stddef.h>"
    print ""
    print "#include \"gs1_int.h\""
    print ""
    print "/* clang-format off */"
    print ""
    print "/* " n " AIs, sorted by AI string. */"
    print "const gs1_ai_def gs1_ai_table[] = {"
    for (i = 1; i <= n; i++)
        printf "%s", text[i]
    print "};"
    print ""
    print "const size_t gs1_ai_count = sizeof gs1_ai_table / " \
          "sizeof gs1_ai_table[0];"
    print ""

    # Where each two-digit prefix starts in the sorted table, so that a
    # look-up searches a handful of entries rather than all of them.
    print "/* The AIs starting with the two digits p (00..99) are"
    print " * gs1_ai_table[gs1_ai_start[p] .. gs1_ai_start[p + 1]). */"
    print "const unsigned short gs1_ai_start[101] = {"
    i = 1
    line = "   "
    for (p = 0; p <= 100; p++) {
        while (i <= n && substr(key[i], 1, 2) + 0 < p)
            i++
        line = line " " (i - 1) ","
        if (p % 10 == 9 || p == 100) {
            print line
            line = "   "
        }
    }
    print "};"
    print ""
    print "/* clang-format on */"
}
