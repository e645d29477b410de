/* fp — floating-point workload: a 5-body gravitational simulation in double precision, the same in single
 * precision, Simpson integration of 4/(1+x²) (→ π) in both precisions, Newton square roots checked against
 * sqrt/sqrtf, libm transcendental functions, and conversions between float, double and integers (including
 * rounding of halves and out-of-range values, which C leaves undefined, so those go through lrint/llrint with the
 * current rounding mode). Results are printed with %.6f and %a. Usage: fp [steps=20000] */
#include <fenv.h>
#include <math.h>

#include "guest.h"

#define NB 5

typedef struct {
    double x, y, z, vx, vy, vz, m;
} bodyd;
typedef struct {
    float x, y, z, vx, vy, vz, m;
} bodyf;

static const double PI = 3.141592653589793, SOLAR_MASS = 4 * 3.141592653589793 * 3.141592653589793,
                    DAYS = 365.24;

static const double init[NB][7] = {
    {0, 0, 0, 0, 0, 0, 1},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03,
     7.69901118419740425e-03, -6.90460016972063023e-05, 9.54791938424326609e-04},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03,
     4.99852801234917238e-03, 2.30417297573763929e-05, 2.85885980666130812e-04},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03,
     2.37847173959480950e-03, -2.96589568540237556e-05, 4.36624404335156298e-05},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03,
     1.62824170038242295e-03, -9.51592254519715870e-05, 5.15138902046611451e-05},
};

#define NBODY(T, B, SQRT)                                                                                       \
    static void setup_##B(B *b)                                                                                  \
    {                                                                                                            \
        T px = 0, py = 0, pz = 0;                                                                                \
        for (int i = 0; i < NB; i++) {                                                                           \
            b[i].x = (T)init[i][0];                                                                              \
            b[i].y = (T)init[i][1];                                                                              \
            b[i].z = (T)init[i][2];                                                                              \
            b[i].vx = (T)(init[i][3] * DAYS);                                                                    \
            b[i].vy = (T)(init[i][4] * DAYS);                                                                    \
            b[i].vz = (T)(init[i][5] * DAYS);                                                                    \
            b[i].m = (T)(init[i][6] * SOLAR_MASS);                                                               \
            px += b[i].vx * b[i].m;                                                                              \
            py += b[i].vy * b[i].m;                                                                              \
            pz += b[i].vz * b[i].m;                                                                              \
        }                                                                                                        \
        b[0].vx = -px / (T)SOLAR_MASS;                                                                           \
        b[0].vy = -py / (T)SOLAR_MASS;                                                                           \
        b[0].vz = -pz / (T)SOLAR_MASS;                                                                           \
    }                                                                                                            \
    static T energy_##B(const B *b)                                                                              \
    {                                                                                                            \
        T e = 0;                                                                                                 \
        for (int i = 0; i < NB; i++) {                                                                           \
            e += (T)0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);                 \
            for (int j = i + 1; j < NB; j++) {                                                                   \
                T dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;                              \
                e -= b[i].m * b[j].m / SQRT(dx * dx + dy * dy + dz * dz);                                        \
            }                                                                                                    \
        }                                                                                                        \
        return e;                                                                                                \
    }                                                                                                            \
    static void advance_##B(B *b, T dt)                                                                          \
    {                                                                                                            \
        for (int i = 0; i < NB; i++)                                                                             \
            for (int j = i + 1; j < NB; j++) {                                                                   \
                T dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;                              \
                T d2 = dx * dx + dy * dy + dz * dz;                                                              \
                T mag = dt / (d2 * SQRT(d2));                                                                    \
                b[i].vx -= dx * b[j].m * mag;                                                                    \
                b[i].vy -= dy * b[j].m * mag;                                                                    \
                b[i].vz -= dz * b[j].m * mag;                                                                    \
                b[j].vx += dx * b[i].m * mag;                                                                    \
                b[j].vy += dy * b[i].m * mag;                                                                    \
                b[j].vz += dz * b[i].m * mag;                                                                    \
            }                                                                                                    \
        for (int i = 0; i < NB; i++) {                                                                           \
            b[i].x += dt * b[i].vx;                                                                              \
            b[i].y += dt * b[i].vy;                                                                              \
            b[i].z += dt * b[i].vz;                                                                              \
        }                                                                                                        \
    }

NBODY(double, bodyd, sqrt)
NBODY(float, bodyf, sqrtf)

static double simpson_d(long n)
{
    double h = 1.0 / (double)n, s = 4.0 + 2.0;
    for (long i = 1; i < n; i++) {
        double x = (double)i * h;
        s += (i & 1 ? 4.0 : 2.0) * (4.0 / (1.0 + x * x));
    }
    return s * h / 3.0;
}

static float simpson_f(long n)
{
    float h = 1.0f / (float)n, s = 4.0f + 2.0f;
    for (long i = 1; i < n; i++) {
        float x = (float)i * h;
        s += (i & 1 ? 4.0f : 2.0f) * (4.0f / (1.0f + x * x));
    }
    return s * h / 3.0f;
}

static double newton_sqrt(double a)
{
    double x = a > 1 ? a / 2 : 1;
    for (int i = 0; i < 60; i++)
        x = 0.5 * (x + a / x);
    return x;
}

int main(int argc, char **argv)
{
    long steps = arg_long(argc, argv, 1, 20000);

    bodyd bd[NB];
    bodyf bf[NB];
    setup_bodyd(bd);
    setup_bodyf(bf);
    double e0 = energy_bodyd(bd);
    float f0 = energy_bodyf(bf);
    for (long s = 0; s < steps; s++) {
        advance_bodyd(bd, 0.01);
        advance_bodyf(bf, 0.01f);
    }
    double e1 = energy_bodyd(bd);
    float f1 = energy_bodyf(bf);
    printf("nbody steps=%ld\n", steps);
    printf("  double energy %.9f -> %.9f (%a)\n", e0, e1, e1);
    printf("  float  energy %.6f -> %.6f (%a)\n", (double)f0, (double)f1, (double)f1);
    printf("  jupiter x=%.6f y=%.6f z=%.6f (%a)\n", bd[1].x, bd[1].y, bd[1].z, bd[1].x);
    printf("  float jupiter x=%.6f (%a)\n", (double)bf[1].x, (double)bf[1].x);

    long n = steps * 10;
    double pd = simpson_d(n);
    float pf = simpson_f(n);
    printf("simpson n=%ld: double %.15f (%a) error %.3e\n", n, pd, pd, pd - PI);
    printf("simpson n=%ld: float  %.7f (%a)\n", n, (double)pf, (double)pf);

    static const double sq[] = {2, 3, 0.5, 1e-300, 1e300, 123456789.0, 4.9e-324, 0};
    for (unsigned i = 0; i < sizeof sq / sizeof sq[0]; i++) {
        double a = sqrt(sq[i]), b = newton_sqrt(sq[i]);
        float c = sqrtf((float)sq[i]);
        printf("sqrt(%a) = %a newton %a (%s) sqrtf %a\n", sq[i], a, b, a == b ? "same" : "differs", (double)c);
    }
    printf("sqrt(-1) is nan: %d, signbit(sqrt(-0.0)) = %d\n", isnan(sqrt(-1.0)), signbit(sqrt(-0.0)) != 0);

    static const double tx[] = {0.5, 1.0, 2.0, 10.0, -3.25, 1e-5};
    for (unsigned i = 0; i < sizeof tx / sizeof tx[0]; i++) {
        double x = tx[i];
        printf("x=%g exp=%a log|x|=%a sin=%a cos=%a atan2(x,3)=%a pow(|x|,1.5)=%a\n", x, exp(x), log(fabs(x)),
               sin(x), cos(x), atan2(x, 3.0), pow(fabs(x), 1.5));
        printf("      expf=%a sinf=%a cbrt=%a hypot(x,2)=%a fmod(x,0.3)=%a\n", (double)expf((float)x),
               (double)sinf((float)x), cbrt(x), hypot(x, 2.0), fmod(x, 0.3));
    }

    /* conversions */
    static const double cv[] = {0.5,  1.5,   2.5,       -0.5,   -1.5,       -2.5,         3.7,
                                -3.7, 1e10, -1e10, 4294967295.5, 2147483647.5, 9.007199254740993e15, 1e19};
    static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    static const char *const mname[] = {"rne", "rtz", "rdn", "rup"};
    for (unsigned i = 0; i < sizeof cv / sizeof cv[0]; i++) {
        volatile double x = cv[i]; /* volatile: each conversion really happens under the current rounding mode */
        printf("cvt %a: (long)=%ld (float)=%a", x, (x > -9.2e18 && x < 9.2e18) ? (long)x : 0L, (double)(float)x);
        for (int m = 0; m < 4; m++) {
            fesetround(modes[m]);
            float xf = (float)x;
            printf(" %s:llrint=%lld,rint=%a,(float)=%a", mname[m], llrint(x), rint(x), (double)xf);
        }
        fesetround(FE_TONEAREST);
        printf("\n");
    }
    static const long iv[] = {0, 1, -1, 16777217, -16777217, 9007199254740993L, 0x7fffffffffffffffL,
                              (long)0x8000000000000001UL};
    for (unsigned i = 0; i < sizeof iv / sizeof iv[0]; i++)
        printf("int %ld: double %a float %a unsigned->double %a\n", iv[i], (double)iv[i], (double)(float)iv[i],
               (double)(unsigned long)iv[i]);
    float third = 1.0f / 3.0f;
    double dthird = third;
    printf("float 1/3 = %a, widened %.17g, narrowed back %a\n", (double)third, dthird, (double)(float)dthird);
    printf("denormal: %a %a %a\n", 4.9e-324 * 0.5, 2.2250738585072014e-308 / 3, (double)(1e-40f / 3.0f));
    printf("%%.6f formatting: %.6f %.6f %.6f %.6f\n", 1.0 / 3, -2.0 / 3, 1e15 / 7, 0.0000005);
    return 0;
}
