/*
 * cbv.c - CBV and GS1 web vocabulary for the event hash: the bare words a
 * JSON-LD event may use ("shipping", "in_transit", "Temperature") and the
 * CBV 1.x URNs (urn:epcglobal:cbv:bizstep:shipping), both written as web
 * URIs (https://ref.gs1.org/cbv/BizStep-shipping).
 *
 * The word lists are the enumerations of the EPCIS 2.0 JSON schema
 * (bizStep, disposition, bizTransaction type, source/destination type,
 * error reason, component, measurement type, sensor alert type). A word not
 * in its list is left as it is, as JSON-LD expansion leaves it.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_int.h"

#define CBV    "https://ref.gs1.org/cbv/"
#define GS1VOC "https://gs1.org/voc/"

/* Each list is space-separated, with a space at both ends. */
static const char bizstep[] =
    " accepting arriving assembling collecting commissioning "
    "consigning creating_class_instance cycle_counting "
    "decommissioning departing destroying disassembling dispensing "
    "encoding entering_exiting holding inspecting installing killing "
    "loading other packing picking receiving removing repackaging "
    "repairing replacing reserving retail_selling sampling "
    "sensor_reporting shipping staging_outbound stock_taking "
    "stocking storing transporting unloading unpacking void_shipping ";

static const char disp[] =
    " active available completeness_inferred completeness_verified "
    "conformant container_closed container_open damaged destroyed "
    "dispensed disposed encoded expired in_progress in_transit "
    "inactive mismatch_class mismatch_instance mismatch_quantity "
    "needs_replacement no_pedigree_match non_conformant "
    "non_sellable_other partially_dispensed recalled reserved "
    "retail_sold returned sellable_accessible "
    "sellable_not_accessible stolen unavailable unknown ";

static const char btt[] =
    " bol cert desadv inv pedigree po poc prodorder recadv rma "
    "testprd testres upevt ";

static const char sdt[] = " location owning_party possessing_party ";

static const char er[] = " did_not_occur incorrect_data ";

static const char component[] =
    " altitude axial_distance azimuth easting elevation_angle height "
    "latitude longitude northing polar_angle spherical_radius x y z ";

static const char measurement[] =
    " AbsoluteHumidity AbsorbedDose AbsorbedDoseRate Acceleration "
    "Altitude AmountOfSubstance AmountOfSubstancePerUnitVolume Angle "
    "AngularAcceleration AngularMomentum AngularVelocity Area "
    "Capacitance Conductance Conductivity Count Density "
    "Dimensionless DoseEquivalent DoseEquivalentRate "
    "DynamicViscosity ElectricCharge ElectricCurrent "
    "ElectricCurrentDensity ElectricFieldStrength Energy Exposure "
    "Force Frequency Illuminance Inductance Irradiance "
    "KinematicViscosity Length LinearMomentum Luminance LuminousFlux "
    "LuminousIntensity MagneticFlux MagneticFluxDensity "
    "MagneticVectorPotential Mass MassConcentration MassFlowRate "
    "MassPerAreaTime MemoryCapacity MolalityOfSolute MolarEnergy "
    "MolarMass MolarVolume Power Pressure RadiantFlux "
    "RadiantIntensity Radioactivity RelativeHumidity Resistance "
    "Resistivity SolidAngle SpecificVolume Speed SurfaceDensity "
    "SurfaceTension Temperature Time Torque Voltage Volume "
    "VolumeFlowRate VolumeFraction VolumetricFlux Wavenumber ";

static const char alert[] = " ALARM_CONDITION ERROR_CONDITION ";

static const struct {
    const char *words;
    const char *prefix;
} vocab[] = {
    [EPCIS_VOCAB_NONE] = {NULL, NULL},
    [EPCIS_VOCAB_BIZSTEP] = {bizstep, CBV "BizStep-"},
    [EPCIS_VOCAB_DISP] = {disp, CBV "Disp-"},
    [EPCIS_VOCAB_BTT] = {btt, CBV "BTT-"},
    [EPCIS_VOCAB_SDT] = {sdt, CBV "SDT-"},
    [EPCIS_VOCAB_ER] = {er, CBV "ER-"},
    [EPCIS_VOCAB_COMPONENT] = {component, CBV "Comp-"},
    [EPCIS_VOCAB_MEASUREMENT] = {measurement, GS1VOC},
    [EPCIS_VOCAB_ALERT] = {alert, GS1VOC},
};

/*
 * The words of each list, sorted, for a binary search: every bizStep and
 * disposition of every event is looked up, and a search of the list text
 * (memmem) cost several hundred instructions. Made once, on first use;
 * without memory for them the text is searched.
 */
typedef struct word {
    const char *s;
    size_t n;
} word;

#define N_VOCABS (sizeof vocab / sizeof vocab[0])

static struct {
    word *w;
    size_t n;
} sorted[N_VOCABS];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int word_cmp(const void *a, const void *b)
{
    const word *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void sort_words(void)
{
    for (size_t v = 0; v < N_VOCABS; v++) {
        const char *p = vocab[v].words;
        size_t n = 0;

        if (!p)
            continue;
        for (const char *q = p + 1; *q; q++)
            n += *q == ' ';
        if (!(sorted[v].w = malloc(n * sizeof *sorted[v].w)))
            continue;
        for (const char *q = p + 1; *q; q++) {
            const char *e = strchr(q, ' ');

            sorted[v].w[sorted[v].n++] = (word){q, (size_t)(e - q)};
            q = e;
        }
        qsort(sorted[v].w, sorted[v].n, sizeof *sorted[v].w, word_cmp);
    }
}

/* True when s (n bytes) is one of the words of list: when " s " is in it.
 * No word of the lists is longer than 62 bytes. */
static bool in_list(const char *list, const char *s, size_t n)
{
    char needle[64];

    if (n == 0 || n > sizeof needle - 2 || memchr(s, ' ', n))
        return false;
    needle[0] = ' ';
    memcpy(needle + 1, s, n);
    needle[n + 1] = ' ';
    return memmem(list, strlen(list), needle, n + 2) != NULL;
}

const char *epcis_cbv_bare(epcis_vocab v, const char *s, size_t n)
{
    word key = {s, n};

    assert((unsigned)v < N_VOCABS);
    assert(s || n == 0);
    if (!vocab[v].words || n == 0)
        return NULL;
    pthread_once(&sorted_once, sort_words);
    if (sorted[v].w) {
        if (!bsearch(&key, sorted[v].w, sorted[v].n, sizeof key, word_cmp))
            return NULL;
    } else if (!in_list(vocab[v].words, s, n)) {
        return NULL;
    }
    return vocab[v].prefix;
}

/* The CBV 1.x URN namespaces of standard vocabulary, and their web URIs. */
static const struct {
    const char *urn;
    const char *web;
} urns[] = {
    {"urn:epcglobal:cbv:bizstep:", CBV "BizStep-"},
    {"urn:epcglobal:cbv:disp:", CBV "Disp-"},
    {"urn:epcglobal:cbv:btt:", CBV "BTT-"},
    {"urn:epcglobal:cbv:sdt:", CBV "SDT-"},
    {"urn:epcglobal:cbv:er:", CBV "ER-"},
};

int epcis_cbv_urn(yima_buf *out, const char *s, size_t n)
{
    static const char common[] = "urn:epcglobal:cbv:"; /* of every one */
    int rc;

    assert(out && (s || n == 0));
    if (n < sizeof common || memcmp(s, common, sizeof common - 1) != 0)
        return 0;
    for (size_t i = 0; i < sizeof urns / sizeof urns[0]; i++) {
        size_t k = strlen(urns[i].urn);
        if (n <= k || memcmp(s, urns[i].urn, k) != 0)
            continue;
        yima_buf_puts(out, urns[i].web);
        if ((rc = yima_buf_add(out, s + k, n - k)) != 0)
            return rc;
        return 1;
    }
    return 0;
}
