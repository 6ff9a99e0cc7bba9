import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// System prompt, sampling, context size, GPU device, a server to connect to, serving the loaded
// model, and theme. Changes apply at once (sampling to the next answer, context and device to
// the next model load).
Dialog {
    id: dialog
    required property Theme theme
    required property var settings  // SettingsStore
    required property EngineController engine
    required property var secrets  // SecretStore
    title: qsTr("Settings")
    modal: true
    standardButtons: Dialog.Close
    anchors.centerIn: parent
    width: Math.min(560, parent.width - 48)
    height: Math.min(640, parent.height - 48)
    onAboutToShow: {
        engine.refreshDevices()
        secrets.read("serve")
    }

    // The key clients of the served model must send: in the keyring, never in the settings.
    property string serveKey: ""
    // Why keys cannot be remembered (no keyring running), or empty.
    property string keyringNote: ""
    Connections {
        target: dialog.secrets
        function onSecretRead(name, secret, error) {
            if (name === "serve") dialog.serveKey = secret
            if (error !== "") dialog.keyringNote = error
        }
        function onSecretWritten(name, error) { dialog.keyringNote = error }
    }
    function serveKeyEdited(key) {
        if (key === serveKey && settings.serveKeyRequired === (key !== "")) return
        serveKey = key
        settings.serveKeyRequired = key !== ""
        secrets.write("serve", key)
    }
    function applyServing(on) {
        settings.serveHost = serveHostField.text
        settings.servePort = servePortField.value
        serveKeyEdited(serveKeyField.text)
        settings.serveEnabled = on
        engine.serveModel(on, settings.serveHost, settings.servePort, serveKeyField.text)
    }

    component SliderRow: RowLayout {
        id: row
        property string label
        property real from: 0
        property real to: 1
        property real stepSize: 0.05
        property real value
        property int decimals: 2
        signal moved(real value)
        Layout.fillWidth: true
        Label { text: row.label; Layout.preferredWidth: 150; color: dialog.theme.text }
        Slider {
            Layout.fillWidth: true
            from: row.from
            to: row.to
            stepSize: row.stepSize
            value: row.value
            Accessible.name: row.label
            onMoved: row.moved(value)
        }
        Label {
            text: row.value.toFixed(row.decimals)
            Layout.preferredWidth: 44
            color: dialog.theme.muted
        }
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            spacing: 10

            Label { text: qsTr("System prompt"); color: dialog.theme.text; font.bold: true }
            TextArea {
                objectName: "systemPromptField"
                Layout.fillWidth: true
                Layout.preferredHeight: 80
                wrapMode: TextEdit.Wrap
                text: dialog.settings.systemPrompt
                placeholderText: qsTr("Optional instructions given to the model before the chat")
                Accessible.name: qsTr("System prompt")
                onEditingFinished: dialog.settings.systemPrompt = text
            }

            Label { text: qsTr("Sampling"); color: dialog.theme.text; font.bold: true }
            SliderRow {
                label: qsTr("Temperature")
                to: 2
                value: dialog.settings.temperature
                onMoved: (v) => dialog.settings.temperature = v
            }
            SliderRow {
                label: qsTr("Top-p")
                value: dialog.settings.topP
                onMoved: (v) => dialog.settings.topP = v
            }
            SliderRow {
                label: qsTr("Min-p")
                to: 0.5
                stepSize: 0.01
                value: dialog.settings.minP
                onMoved: (v) => dialog.settings.minP = v
            }
            SliderRow {
                label: qsTr("Repetition penalty")
                from: 1
                to: 2
                value: dialog.settings.repetitionPenalty
                onMoved: (v) => dialog.settings.repetitionPenalty = v
            }
            RowLayout {
                Label { text: qsTr("Top-k"); Layout.preferredWidth: 150; color: dialog.theme.text }
                SpinBox {
                    from: 0
                    to: 500
                    value: dialog.settings.topK
                    editable: true
                    Accessible.name: qsTr("Top-k")
                    onValueModified: dialog.settings.topK = value
                }
            }

            Label { text: qsTr("Model loading"); color: dialog.theme.text; font.bold: true }
            RowLayout {
                Label { text: qsTr("Context size"); Layout.preferredWidth: 150; color: dialog.theme.text }
                SpinBox {
                    from: 0
                    to: 131072
                    stepSize: 256
                    value: dialog.settings.contextSize
                    editable: true
                    textFromValue: (v) => v === 0 ? qsTr("automatic") : String(v)
                    valueFromText: (t) => t === qsTr("automatic") ? 0 : parseInt(t)
                    Accessible.name: qsTr("Context size in tokens, 0 for automatic")
                    onValueModified: dialog.settings.contextSize = value
                }
            }
            RowLayout {
                Label { text: qsTr("GPU device"); Layout.preferredWidth: 150; color: dialog.theme.text }
                ComboBox {
                    Layout.fillWidth: true
                    model: [qsTr("Automatic")].concat(dialog.engine.devices)
                    currentIndex: Math.max(0, dialog.engine.devices.findIndex(
                                               (d) => d.split(":")[0] === dialog.settings.gpuDevice) + 1)
                    Accessible.name: qsTr("GPU device")
                    onActivated: (i) => dialog.settings.gpuDevice = i === 0 ? "" : dialog.engine.devices[i - 1].split(":")[0]
                }
            }
            Label {
                text: qsTr("Context size and device apply to the next model you load.")
                color: dialog.theme.muted
                font.pixelSize: 12
            }

            Label { text: qsTr("Server"); color: dialog.theme.text; font.bold: true }
            RowLayout {
                Label { text: qsTr("Address"); Layout.preferredWidth: 150; color: dialog.theme.text }
                TextField {
                    id: serverUrlField
                    objectName: "serverUrlField"
                    Layout.fillWidth: true
                    text: dialog.engine.serverUrl
                    placeholderText: "http://127.0.0.1:8080"
                    Accessible.name: qsTr("OpenAI-compatible server address")
                }
            }
            RowLayout {
                Label { text: qsTr("API key"); Layout.preferredWidth: 150; color: dialog.theme.text }
                TextField {
                    id: serverKeyField
                    objectName: "serverKeyField"
                    Layout.fillWidth: true
                    echoMode: TextInput.Password
                    placeholderText: qsTr("none")
                    Accessible.name: qsTr("API key")
                }
                Button {
                    objectName: "serverConnectButton"
                    text: qsTr("Connect")
                    enabled: serverUrlField.text.length > 0
                    onClicked: dialog.engine.connectServer(serverUrlField.text, serverKeyField.text)
                }
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: qsTr("A vLLM, llama-server, Ollama, LM Studio or Prism server answers instead of "
                           + "a local model; its models appear in the model menu. A key that works "
                           + "is kept in the desktop's keyring, never in Prism's files.")
                color: dialog.theme.muted
                font.pixelSize: 12
            }

            Label { text: qsTr("Serve the loaded model"); color: dialog.theme.text; font.bold: true }
            Switch {
                id: serveSwitch
                objectName: "serveSwitch"
                text: qsTr("Answer OpenAI-compatible clients with the loaded model")
                checked: dialog.settings.serveEnabled
                Accessible.name: qsTr("Serve the loaded model")
                onToggled: dialog.applyServing(checked)
            }
            RowLayout {
                Label { text: qsTr("Host"); Layout.preferredWidth: 150; color: dialog.theme.text }
                TextField {
                    id: serveHostField
                    objectName: "serveHostField"
                    Layout.fillWidth: true
                    text: dialog.settings.serveHost
                    placeholderText: "127.0.0.1"
                    Accessible.name: qsTr("Address to serve on")
                    onEditingFinished: dialog.settings.serveHost = text
                }
                Label { text: qsTr("Port"); color: dialog.theme.text }
                SpinBox {
                    id: servePortField
                    objectName: "servePortField"
                    from: 1
                    to: 65535
                    editable: true
                    value: dialog.settings.servePort
                    textFromValue: (v) => String(v)
                    valueFromText: (t) => parseInt(t)
                    Accessible.name: qsTr("Port to serve on")
                    onValueModified: dialog.settings.servePort = value
                }
            }
            RowLayout {
                Label { text: qsTr("API key"); Layout.preferredWidth: 150; color: dialog.theme.text }
                TextField {
                    id: serveKeyField
                    objectName: "serveKeyField"
                    Layout.fillWidth: true
                    echoMode: TextInput.Password
                    text: dialog.serveKey
                    placeholderText: qsTr("none (anyone who can reach the port may use it)")
                    Accessible.name: qsTr("API key clients must send")
                    onEditingFinished: dialog.serveKeyEdited(text)
                }
            }
            Label {
                objectName: "serveStatus"
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: dialog.engine.servingError !== ""
                      ? qsTr("Not serving: %1").arg(dialog.engine.servingError)
                      : dialog.engine.servingUrl !== ""
                        ? qsTr("Serving at %1").arg(dialog.engine.servingUrl)
                        : dialog.settings.serveEnabled
                          ? qsTr("Serving starts when a local model is loaded.")
                          : qsTr("Off. 127.0.0.1 keeps it to this computer; another address "
                                 + "lets the network in, so set a key.")
                color: dialog.engine.servingError !== "" ? dialog.theme.danger : dialog.theme.muted
                font.pixelSize: 12
            }

            Label {
                objectName: "keyringNote"
                visible: dialog.keyringNote !== ""
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: qsTr("Keys are not remembered after Prism closes: %1.").arg(dialog.keyringNote)
                color: dialog.theme.muted
                font.pixelSize: 12
            }

            Label { text: qsTr("Appearance"); color: dialog.theme.text; font.bold: true }
            RowLayout {
                Label { text: qsTr("Theme"); Layout.preferredWidth: 150; color: dialog.theme.text }
                ComboBox {
                    Layout.fillWidth: true
                    implicitContentWidthPolicy: ComboBox.WidestText
                    readonly property var values: ["system", "light", "dark"]
                    model: [qsTr("Follow the system"), qsTr("Light"), qsTr("Dark")]
                    currentIndex: Math.max(0, values.indexOf(dialog.settings.theme))
                    Accessible.name: qsTr("Theme")
                    onActivated: (i) => dialog.settings.theme = values[i]
                }
            }
        }
    }
}
