package synth

// Reference tables of the synthetic world. Bank BINs, CNAPS bank codes, mobile number blocks,
// IMSI network codes and MAC OUIs are real public facts, so imports and validators see values
// of the shape they meet in real case files.

// surnames are common Chinese surnames, most frequent first (sampling favours the front).
var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

// givenChars are characters common in given names; all are in GBK.
var givenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华文辉建国志红玉萍梅林斌波宇浩鑫鹏飞海燕晨欣怡子涵梓轩雨婷思琪嘉俊佳颖晓东亮峰凯琳雪慧楠博宏成春德福光江金康乐龙美宁荣瑞山胜松涛婉薇翔欣雅阳毅永宇泽振智忠珍")

// homophones maps a given-name character to a look-alike used when a clerk mistypes a name
// (duplicate person records).
var homophones = map[rune]rune{'伟': '玮', '芳': '方', '娜': '那', '静': '婧', '丽': '莉', '强': '墙', '军': '君', '杰': '洁', '明': '铭', '华': '骅', '红': '宏', '玉': '钰', '林': '琳', '宇': '雨', '浩': '皓', '鹏': '朋', '飞': '菲', '海': '凯', '燕': '艳', '晨': '辰', '欣': '馨', '俊': '骏', '佳': '家', '东': '冬', '峰': '锋', '雪': '薛', '慧': '惠', '博': '波', '成': '诚', '春': '纯'}

type foreignName struct{ name, nationality, passportPrefix string }

// foreignNames are non-Chinese persons (call-centre operators abroad, foreign residents).
var foreignNames = []foreignName{
	{"NGUYEN VAN HUNG", "VNM", "C"}, {"TRAN THI LAN", "VNM", "C"}, {"LE VAN NAM", "VNM", "C"},
	{"PHAM MINH TUAN", "VNM", "C"}, {"AUNG KYAW MOE", "MMR", "MA"}, {"ZAW MIN HTUT", "MMR", "MA"},
	{"SOMCHAI SRISUK", "THA", "AA"}, {"NIRAN THONGDEE", "THA", "AA"}, {"SOK DARA", "KHM", "N"},
	{"CHAN SOPHEAP", "KHM", "N"}, {"JUAN DELA CRUZ", "PHL", "P"}, {"MARIA SANTOS", "PHL", "P"},
	{"AHMAD BIN ISMAIL", "MYS", "A"}, {"JOHN SMITH", "GBR", "5"}, {"DAVID MILLER", "USA", "5"},
	{"BUDI SANTOSO", "IDN", "B"},
}

var streets = []string{"人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "光明路", "幸福路", "胜利路", "文化路", "长江路", "黄河路", "东风路", "朝阳路", "青年路", "工业大道", "科技路", "滨江路", "花园路", "府前街"}

var buildings = []string{"国贸大厦", "金融中心", "创业大厦", "时代广场", "商务中心", "世纪大厦", "万达广场", "科技园", "财富中心", "国际大厦"}

// bankSpec is a bank with its CNAPS participant code and debit-card BINs (length of the card
// number with the check digit).
type bankSpec struct {
	name, short, cnaps string
	bins               []string
	cardLen            int
	acctLen            int // corporate account number length
	weight             int // share of personal cards
}

var banks = []bankSpec{
	{"中国工商银行", "ICBC", "102", []string{"622202", "621226", "622208"}, 19, 19, 20},
	{"中国农业银行", "ABC", "103", []string{"622848", "622845"}, 19, 19, 16},
	{"中国银行", "BOC", "104", []string{"621661", "621785", "621790"}, 19, 17, 12},
	{"中国建设银行", "CCB", "105", []string{"621700", "622700"}, 19, 20, 18},
	{"交通银行", "BOCOM", "301", []string{"622262", "622260"}, 19, 17, 6},
	{"中信银行", "CITIC", "302", []string{"621771", "622690"}, 16, 19, 3},
	{"中国民生银行", "CMBC", "305", []string{"622622", "621691"}, 16, 16, 3},
	{"招商银行", "CMB", "308", []string{"622588", "621483", "622609"}, 16, 15, 8},
	{"兴业银行", "CIB", "309", []string{"622908", "622909"}, 18, 18, 3},
	{"上海浦东发展银行", "SPDB", "310", []string{"622521", "621792"}, 16, 16, 3},
	{"平安银行", "PAB", "307", []string{"622155", "622298"}, 16, 14, 3},
	{"中国邮政储蓄银行", "PSBC", "403", []string{"621799", "622188", "621098"}, 19, 19, 10},
}

// operatorSpec is a mobile network operator with its number blocks and IMSI network codes.
type operatorSpec struct {
	name     string
	prefixes []string
	mccmnc   []string
}

var operators = []operatorSpec{
	{"中国移动", []string{"134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "178", "182", "183", "184", "187", "188", "198"}, []string{"46000", "46002", "46007"}},
	{"中国联通", []string{"130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186"}, []string{"46001", "46006"}},
	{"中国电信", []string{"133", "149", "153", "173", "177", "180", "181", "189", "191", "199"}, []string{"46003", "46011"}},
}

// macOUIs are registered OUIs of phone and PC makers (Huawei, Xiaomi, Apple, Lenovo, TP-Link, OPPO).
var macOUIs = [][3]byte{{0x00, 0xE0, 0xFC}, {0x28, 0x6C, 0x07}, {0xF0, 0x18, 0x98}, {0x00, 0x59, 0x07}, {0x50, 0xBD, 0x5F}, {0xA4, 0x3B, 0xFA}, {0x48, 0x3C, 0x0C}, {0x64, 0x09, 0x80}}

// imeiTACs are type allocation codes in the style of phones sold in China.
var imeiTACs = []string{"86019403", "86752903", "86827404", "35391110", "86403205", "86887104", "35332510", "86177005"}

// ipFirstOctets are /8 blocks allocated to Chinese carriers.
var ipFirstOctets = []byte{36, 39, 58, 59, 60, 61, 101, 106, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 175, 180, 182, 183, 202, 210, 211, 218, 219, 220, 221, 222, 223}

// platform is an external counterparty that is not a person of the world (payment institutions,
// utilities): statements name it with its reserve or collection account.
type platform struct{ name, account, bank, summary, channel string }

var platforms = []platform{
	{"财付通支付科技有限公司", "243300133", "中国工商银行", "财付通快捷支付", "快捷支付"},
	{"支付宝（中国）网络技术有限公司", "215500690", "中国建设银行", "支付宝消费", "快捷支付"},
	{"网银在线（北京）科技有限公司", "110918723", "中国银行", "京东支付", "快捷支付"},
	{"中国银联股份有限公司", "310290000013", "交通银行", "银联消费", "POS"},
	{"国网电力缴费", "32001881900052504315", "中国建设银行", "电费", "代扣"},
	{"自来水公司代收户", "1001230109000012345", "中国工商银行", "水费", "代扣"},
	{"燃气有限公司", "4420101040009088", "中国农业银行", "燃气费", "代扣"},
	{"中国移动通信集团", "1202020409900012011", "中国工商银行", "话费充值", "快捷支付"},
}

// cash-out merchants: gold shops where mule cards buy gold by POS.
var goldShops = []string{"周大福珠宝金行", "老凤祥银楼", "中国黄金专营店", "金至尊黄金珠宝", "六福珠宝", "潮宏基珠宝"}

var employerSuffix = []string{"科技有限公司", "贸易有限公司", "实业有限公司", "建筑工程有限公司", "餐饮管理有限公司", "物流有限公司", "电子商务有限公司", "制造有限公司"}

var companyWords = []string{"华信", "鑫达", "宏远", "恒通", "盛世", "博远", "正泰", "天成", "瑞丰", "永盛", "德邦", "佳禾", "创新", "汇通", "金鼎", "安达", "联创", "众合", "明辉", "润泽"}

var businessHallWords = []string{"营业厅", "自有营业厅", "合作营业厅", "指定专营店"}
