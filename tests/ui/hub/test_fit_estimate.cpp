// The KV-cache shape read from a GGUF file's first bytes, against the engine's GGUF reader on
// the whole file, and the fit arithmetic.
#include <QFile>
#include <QTest>

#include <algorithm>

#include "hub/fit_estimate.hpp"
#include "prism/gguf.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/decoder.hpp"
#include "ui/hub/hub_server.hpp"

namespace prism::test {

using ui::KvShape;
using ui::ProbeResult;

class FitEstimateTest : public QObject {
    Q_OBJECT

  private slots:
    void shapeMatchesTheEngineReader_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("llama") << "tests/data/models/tiny-llama-f32.gguf";
        QTest::newRow("qwen2") << "tests/data/models/tiny-qwen2-q8_0.gguf";
        QTest::newRow("qwen3") << "tests/data/models/tiny-qwen3-f32.gguf";
        QTest::newRow("gemma3") << "tests/data/models/tiny-gemma3-f32.gguf";
        QTest::newRow("demo") << "resources/models/stories260K.gguf";
        QTest::newRow("published") << "tests/data/published-models/llama-2-tiny-random.gguf";
    }
    void shapeMatchesTheEngineReader() {
        QFETCH(QString, file);
        const QString path = source_file(file);
        const gguf::File reference = gguf::File::open(path.toStdString());
        const std::string arch = reference.get<std::string>("general.architecture");
        const auto n_head = reference.get_integer<std::int64_t>(arch + ".attention.head_count");
        const KvShape expected{
            reference.get_integer<std::int64_t>(arch + ".block_count"),
            reference.contains(arch + ".attention.head_count_kv")
                ? reference.get_integer<std::int64_t>(arch + ".attention.head_count_kv")
                : n_head,
            reference.contains(arch + ".attention.key_length")
                ? reference.get_integer<std::int64_t>(arch + ".attention.key_length")
                : reference.get_integer<std::int64_t>(arch + ".embedding_length") / n_head};

        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray whole = in.read(static_cast<qint64>(reference.data_offset()));
        KvShape shape;
        QString error;
        QCOMPARE(ui::probe_gguf_kv_shape(whole, shape, error), ProbeResult::Done);
        QCOMPARE(shape.n_layer, expected.n_layer);
        QCOMPARE(shape.n_head_kv, expected.n_head_kv);
        QCOMPARE(shape.head_dim, expected.head_dim);
        // The sliding window as the engine reads it (gemma3's window 4 on every other layer).
        const models::DecoderHParams h = models::read_hparams(reference);
        QCOMPARE(shape.sliding_window, h.n_swa);
        QCOMPARE(shape.sliding_layers,
                 h.n_swa > 0 ? std::count(h.swa_layers.begin(), h.swa_layers.end(), true) : 0);
        // And the cache it allocates: the rows of every layer, f16 K and V (these fixtures'
        // heads need no padding).
        for (const std::int64_t context : {std::int64_t{3}, std::int64_t{32}, std::int64_t{4096}}) {
            const models::DecoderOptions options{.n_ctx = context, .prefill_chunk = 7};
            std::uint64_t engine_bytes = 0;
            for (std::size_t il = 0; il < static_cast<std::size_t>(h.n_layer); ++il)
                engine_bytes += static_cast<std::uint64_t>(2 * h.n_head_kv * h.head_dim * 2 *
                                                           models::kv_cache_rows(h, il, options));
            QCOMPARE(ui::kv_cache_bytes(shape, context, 7), engine_bytes);
        }

        // Every shorter prefix asks for more; none is mistaken for a whole header.
        for (qsizetype cut = 0; cut < whole.size();
             cut += std::max<qsizetype>(1, whole.size() / 97)) {
            KvShape partial;
            const ProbeResult result = ui::probe_gguf_kv_shape(whole.left(cut), partial, error);
            if (result == ProbeResult::Done) {
                // Allowed only once every key the shape needs has been read.
                QCOMPARE(partial.n_layer, expected.n_layer);
            } else {
                QCOMPARE(result, ProbeResult::NeedMoreBytes);
            }
        }
    }

    void otherFilesAreNotGguf() {
        KvShape shape;
        QString error;
        QCOMPARE(ui::probe_gguf_kv_shape("PK\x03\x04 not a model", shape, error),
                 ProbeResult::NotGguf);
        QCOMPARE(error, QStringLiteral("not a GGUF file"));
        QFile bad(source_file(QStringLiteral("tests/data/gguf-bad/version1.gguf")));
        QVERIFY(bad.open(QIODevice::ReadOnly));
        QCOMPARE(ui::probe_gguf_kv_shape(bad.readAll(), shape, error), ProbeResult::NotGguf);
        QVERIFY2(error.contains(QStringLiteral("version 1")), qPrintable(error));
    }

    void kvCacheIsTwoF16TensorsPerLayer() {
        // SmolLM2-135M: 30 layers, 3 KV heads of 64; at 2048 tokens 2*30*3*64*2048*2 bytes.
        const KvShape smollm{30, 3, 64};
        QCOMPARE(ui::kv_cache_bytes(smollm, 2048), std::uint64_t{47185920});
        const ui::FitEstimate fit =
            ui::estimate_fit(100'000'000, 20'000'000, smollm, 2048, 167'185'920);
        QCOMPARE(fit.needed, std::uint64_t{167185920});
        QVERIFY(fit.fits);
        QVERIFY(!ui::estimate_fit(100'000'000, 20'000'000, smollm, 2048, 167'185'919).fits);
        QVERIFY(!ui::estimate_fit(1, 0, smollm, 16, 0).fits);  // unknown device memory
        // Gemma 3 270M: 18 layers, one KV head of 256, window 512 on 15 layers; at 4096 tokens
        // and chunks of 256 those keep 767 rows: (3 * 4096 + 15 * 767) * 2 * 256 * 2 bytes.
        const KvShape gemma{18, 1, 256, 512, 15};
        QCOMPARE(ui::kv_cache_bytes(gemma, 4096), std::uint64_t{24364032});
        QCOMPARE(ui::kv_cache_bytes(gemma, 600), std::uint64_t{18 * 600 * 1024});  // no ring
    }
};

int run_fit_estimate_tests(int argc, char** argv) {
    FitEstimateTest test;
    return QTest::qExec(&test, argc, argv);
}

}  // namespace prism::test

#include "test_fit_estimate.moc"
